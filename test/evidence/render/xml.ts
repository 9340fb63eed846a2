/**
 * A small, strict XML reader for tests: enough to prove a JUnit file is well-formed (matching tags, quoted
 * attributes, only known entities, no raw "<" or "&" in text) and to walk it. It throws on anything malformed.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(raw: string, where: number): string {
  if (/<|&(?!(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(raw)) throw new Error(`raw "<" or "&" at offset ${where}: ${raw.slice(0, 40)}`);
  return raw.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (_, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : ENTITIES[e],
  );
}

export function parseXml(text: string): XmlElement {
  let pos = 0;
  const declaration = text.match(/^<\?xml[^?]*\?>\s*/);
  if (declaration) pos = declaration[0].length;
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    const chunk = text.slice(pos, lt === -1 ? text.length : lt);
    if (chunk.length) {
      const current = stack[stack.length - 1];
      if (current === root && chunk.trim()) throw new Error(`text outside the root element at ${pos}`);
      current.text += decode(chunk, pos);
    }
    if (lt === -1) break;
    const gt = text.indexOf('>', lt);
    if (gt === -1) throw new Error(`unclosed tag at ${lt}`);
    const tag = text.slice(lt + 1, gt);
    if (tag.startsWith('/')) {
      const open = stack.pop();
      if (!open || open.name !== tag.slice(1).trim()) throw new Error(`closing </${tag.slice(1)}> does not match <${open?.name}> at ${lt}`);
    } else {
      const selfClosing = tag.endsWith('/');
      const body = selfClosing ? tag.slice(0, -1) : tag;
      const name = body.match(/^[A-Za-z_][\w.-]*/)?.[0];
      if (!name) throw new Error(`bad tag name at ${lt}: <${tag}>`);
      const attributes: Record<string, string> = {};
      const rest = body.slice(name.length);
      const attr = /\s+([A-Za-z_][\w.-]*)="([^"]*)"/y;
      let at = 0;
      let match: RegExpExecArray | null;
      while ((attr.lastIndex = at), (match = attr.exec(rest))) {
        if (match[1] in attributes) throw new Error(`duplicate attribute ${match[1]} at ${lt}`);
        attributes[match[1]] = decode(match[2], lt);
        at = attr.lastIndex;
      }
      if (rest.slice(at).trim()) throw new Error(`malformed attributes at ${lt}: ${rest.slice(at)}`);
      const element: XmlElement = { name, attributes, children: [], text: '' };
      const parent = stack[stack.length - 1];
      if (parent === root && root.children.length) throw new Error('more than one root element');
      parent.children.push(element);
      if (!selfClosing) stack.push(element);
    }
    pos = gt + 1;
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (root.children.length !== 1) throw new Error('no root element');
  return root.children[0];
}

export function findAll(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((c) => [...(c.name === name ? [c] : []), ...findAll(c, name)]);
}
