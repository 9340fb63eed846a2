/**
 * The local SDK host: a page that frames the hub and answers the messages azure-devops-extension-sdk
 * sends to `window.parent`, so the production hub code runs unchanged outside Azure DevOps.
 *
 * The protocol, as read in azure-devops-extension-sdk 4.2 (esm/XDM.js, esm/SDK.js):
 * - Messages are JSON strings over postMessage: a call is `{ id, methodName, instanceId, params,
 *   handshakeToken? }`; a reply is `{ id, result | error, handshakeToken }`.
 * - The SDK's first call is `initialHandshake` on `DevOps.HostControl`; the reply must echo its
 *   `handshakeToken`, after which the SDK trusts this origin.
 * - `getAccessToken` (HostControl) returns `{ token }`; `getService` (DevOps.ServiceManager) returns an
 *   object whose functions travel as `{ __proxyFunctionId }`; the SDK calls them back as method
 *   `proxy<N>` on the instance `__proxyFunctions`. Functions the SDK passes to us travel the same way.
 */
export interface HostConfig {
  contribution: 'readiness-hub' | 'build-tab';
  hubUrl: string;
  token: string;
  user: { id: string; name: string; groups: string[] };
  extension: { publisherId: string; extensionId: string; version: string };
  project: { id: string; name: string };
  build?: { id: number };
  theme: 'light' | 'dark';
}

/** Enough of the dark palette for azure-devops-ui; light is the library's built-in fallback. */
const DARK_THEME: Record<string, string> = {
  'background-color': 'rgba(30, 30, 30, 1)',
  'text-primary-color': 'rgba(255, 255, 255, .9)',
  'text-secondary-color': 'rgba(255, 255, 255, .6)',
  'text-disabled-color': 'rgba(255, 255, 255, .38)',
  'callout-background-color': 'rgba(37, 37, 38, 1)',
  'palette-primary': '40, 156, 255',
  'communication-background': 'rgba(40, 156, 255, 1)',
  'communication-foreground': 'rgba(40, 156, 255, 1)',
  'palette-neutral-0': '0, 0, 0',
  'palette-neutral-2': '255, 255, 255, 0.03',
  'palette-neutral-4': '255, 255, 255, 0.05',
  'palette-neutral-6': '255, 255, 255, 0.07',
  'palette-neutral-8': '255, 255, 255, 0.09',
  'palette-neutral-10': '255, 255, 255, 0.12',
  'palette-neutral-20': '255, 255, 255, 0.22',
  'palette-neutral-30': '255, 255, 255, 0.32',
  'palette-neutral-60': '255, 255, 255, 0.62',
  'palette-neutral-70': '255, 255, 255, 0.72',
  'palette-neutral-80': '255, 255, 255, 0.82',
  'palette-neutral-100': '255, 255, 255, 1',
  'component-grid-row-hover-color': 'rgba(255, 255, 255, .06)',
  'component-grid-cell-bottom-border-color': 'rgba(255, 255, 255, .1)',
};

function escapeForScript(json: string): string {
  return json.replace(/</g, '\\u003c');
}

export function hostPageHtml(config: HostConfig): string {
  const title = config.contribution === 'build-tab' ? 'Readiness evidence (local host)' : 'Readiness (local host)';
  const themeData = config.theme === 'dark' ? DARK_THEME : {};
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>
  html, body { height: 100%; margin: 0; font-family: "Segoe UI", system-ui, sans-serif; }
  body { display: flex; flex-direction: column; background: ${config.theme === 'dark' ? '#1e1e1e' : '#f8f8f8'}; }
  #host-bar { font-size: 12px; padding: 4px 12px; color: ${config.theme === 'dark' ? '#ccc' : '#555'}; }
  #host-error { display: none; padding: 8px 12px; background: #fde7e9; color: #a4262c; }
  #hub-frame { flex: 1; border: 0; width: 100%; }
</style>
</head>
<body>
<div id="host-bar">Local host for the Readiness extension · signed in as <strong id="host-user"></strong></div>
<div id="host-error" role="alert"></div>
<iframe id="hub-frame" title="${title}"></iframe>
<script id="host-config" type="application/json">${escapeForScript(JSON.stringify({ ...config, themeData }))}</script>
<script src="/host.js"></script>
</body>
</html>
`;
}

/** Plain browser JavaScript, served as /host.js. */
export const HOST_SCRIPT = String.raw`
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('host-config').textContent);
  var frame = document.getElementById('hub-frame');
  document.getElementById('host-user').textContent = config.user.name + ' (' + config.user.id + ')';
  var origin = window.location.origin;
  var handshakeToken;
  var nextProxyId = 1;
  var nextCallId = 1;
  var proxies = {};
  var pendingCalls = {};

  function send(message) {
    frame.contentWindow.postMessage(JSON.stringify(message), origin);
  }

  // A function we hand to the hub: registered here, sent as a proxy id.
  function proxy(fn) {
    var id = nextProxyId++;
    proxies['proxy' + id] = fn;
    return { __proxyFunctionId: id, _channelId: 1 };
  }

  // A function the hub handed to us: calling it sends a call back into the frame.
  function remoteFunction(proxyId) {
    return function () {
      var id = nextCallId++;
      var args = Array.prototype.slice.call(arguments);
      return new Promise(function (resolve, reject) {
        pendingCalls[id] = { resolve: resolve, reject: reject };
        send({ id: id, methodName: 'proxy' + proxyId, instanceId: '__proxyFunctions', params: args, handshakeToken: handshakeToken });
      });
    };
  }

  function revive(value) {
    if (Array.isArray(value)) return value.map(revive);
    if (value && typeof value === 'object') {
      if (value.__proxyFunctionId) return remoteFunction(value.__proxyFunctionId);
      var out = {};
      for (var key in value) out[key] = revive(value[key]);
      return out;
    }
    return value;
  }

  function showError(text) {
    var banner = document.getElementById('host-error');
    banner.textContent = text;
    banner.style.display = 'block';
  }

  var webContext = {
    account: { id: 'local', name: 'local' },
    collection: { id: 'local', name: 'local', uri: origin + '/' },
    project: config.project,
    user: { id: config.user.id, name: config.user.id, email: '', uniqueName: config.user.id },
  };

  var services = {
    'ms.vss-features.location-service': {
      getResourceAreaLocation: proxy(function () { return origin + '/'; }),
      getServiceLocation: proxy(function () { return origin + '/'; }),
      routeUrl: proxy(function (routeId, values) { return origin + '/'; }),
    },
    'ms.vss-tfs-web.tfs-page-data-service': {
      getProject: proxy(function () { return config.project; }),
    },
    'ms.vss-features.host-navigation-service': {
      getHash: proxy(function () { return frame.contentWindow.location.hash; }),
      setHash: proxy(function () {}),
      navigate: proxy(function (url) { window.open(url, '_blank'); }),
      openNewWindow: proxy(function (url) { window.open(url, '_blank'); }),
      setDocumentTitle: proxy(function (title) { document.title = title; }),
    },
  };

  var hostControl = {
    initialHandshake: function () {
      var initialConfig = {};
      if (config.contribution === 'build-tab') {
        var build = { id: config.build.id, buildNumber: String(config.build.id), project: config.project };
        initialConfig.onBuildChanged = proxy(function (handler) { handler(build); });
      }
      return {
        contributionId: config.extension.publisherId + '.' + config.extension.extensionId + '.' + config.contribution,
        context: {
          extension: { id: config.extension.publisherId + '.' + config.extension.extensionId, publisherId: config.extension.publisherId, extensionId: config.extension.extensionId, version: config.extension.version },
          pageContext: { webContext: webContext, globalization: { culture: 'en-US' } },
          user: { id: config.user.id, name: config.user.id, displayName: config.user.name, descriptor: 'local.' + config.user.id, imageUrl: '', groups: config.user.groups },
          host: { id: 'local', name: 'local', serviceVersion: 'local', type: 4, isHosted: false },
        },
        initialConfig: initialConfig,
        themeData: config.themeData,
      };
    },
    getAccessToken: function () { return { token: config.token }; },
    getAppToken: function () { return { token: config.token }; },
    notifyLoadSucceeded: function () { document.body.setAttribute('data-hub-loaded', 'true'); },
    notifyLoadFailed: function (e) {
      document.body.setAttribute('data-hub-loaded', 'failed');
      showError('The hub failed to load: ' + (e && e.message ? e.message : String(e)));
    },
    resize: function () {},
  };

  var serviceManager = {
    getService: function (contributionId) {
      var service = services[contributionId];
      if (!service) throw new Error('The local host does not provide the service "' + contributionId + '".');
      return service;
    },
  };

  function reply(message, result, error) {
    var out = { id: message.id, handshakeToken: message.handshakeToken || handshakeToken };
    if (error) out.error = { message: error.message || String(error), name: error.name || 'Error' };
    else out.result = result;
    send(out);
  }

  window.addEventListener('message', function (event) {
    if (event.source !== frame.contentWindow || typeof event.data !== 'string') return;
    var message;
    try { message = JSON.parse(event.data); } catch (e) { return; }
    if (!message.instanceId) {
      var pending = pendingCalls[message.id];
      if (pending) {
        delete pendingCalls[message.id];
        if (message.error) pending.reject(message.error); else pending.resolve(message.result);
      }
      return;
    }
    if (message.handshakeToken) handshakeToken = message.handshakeToken;
    var target = message.instanceId === 'DevOps.HostControl' ? hostControl
      : message.instanceId === 'DevOps.ServiceManager' ? serviceManager
      : message.instanceId === '__proxyFunctions' ? proxies
      : undefined;
    var method = target && target[message.methodName];
    if (typeof method !== 'function') {
      reply(message, undefined, new Error('The local host cannot answer ' + message.instanceId + '.' + message.methodName + '.'));
      return;
    }
    try {
      var result = method.apply(target, revive(message.params || []));
      Promise.resolve(result).then(function (value) { reply(message, value); }, function (e) { reply(message, undefined, e); });
    } catch (e) {
      reply(message, undefined, e);
    }
  });

  frame.src = config.hubUrl + window.location.hash;
  // A link to the host with a #/service/... route opens that page in the hub.
  window.addEventListener('hashchange', function () { frame.src = config.hubUrl + window.location.hash; });
})();
`;
