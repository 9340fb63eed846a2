import dns2 from 'dns2';

/**
 * A real DNS server on loopback UDP (dns2, a pure-JavaScript implementation), answering from a zone given as
 * name -> records. Names not in the zone get NXDOMAIN; `refuse` makes it answer REFUSED to everything.
 */
export interface Zone {
  [name: string]: { A?: string[]; AAAA?: string[]; CNAME?: string };
}

export async function startDnsServer(zone: Zone, options: { refuse?: boolean } = {}) {
  const { Packet } = dns2;
  const server = dns2.createServer({
    udp: true,
    handle: (request: any, send: (r: any) => void) => {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      const entry = zone[question.name.toLowerCase()];
      if (options.refuse) response.header.rcode = 5;
      else if (!entry) response.header.rcode = 3;
      else {
        const add = (type: number, data: Record<string, string>) => response.answers.push({ name: question.name, type, class: Packet.CLASS.IN, ttl: 60, ...data } as any);
        if (entry.CNAME && [Packet.TYPE.CNAME, Packet.TYPE.A, Packet.TYPE.AAAA].includes(question.type)) add(Packet.TYPE.CNAME, { domain: entry.CNAME });
        if (question.type === Packet.TYPE.A) for (const address of entry.A ?? []) add(Packet.TYPE.A, { address });
        if (question.type === Packet.TYPE.AAAA) for (const address of entry.AAAA ?? []) add(Packet.TYPE.AAAA, { address });
      }
      send(response);
    },
  });
  await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const port = (server.addresses() as any).udp.port as number;
  return { address: `127.0.0.1:${port}`, close: () => server.close() };
}
