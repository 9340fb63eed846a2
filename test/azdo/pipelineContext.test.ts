import assert from 'node:assert/strict';
import { pipelineContextFrom } from '../../src/azdo/pipelineContext';
import { ConfigError } from '../../src/errors';

const agent = {
  SYSTEM_COLLECTIONURI: 'https://dev.azure.com/contoso',
  SYSTEM_TEAMPROJECT: 'Orders',
  BUILD_BUILDID: '4711',
  SYSTEM_DEFINITIONID: '12',
  SYSTEM_ACCESSTOKEN: 'tok-123',
};

describe('azdo pipeline context', () => {
  it('agent variables: all present -> context with a slash-terminated collection URI and numeric ids', () => {
    assert.deepEqual(pipelineContextFrom(agent), {
      collectionUri: 'https://dev.azure.com/contoso/', project: 'Orders', buildId: 4711, definitionId: 12, accessToken: 'tok-123',
    });
  });

  it('agent variables: older SYSTEM_TEAMFOUNDATIONCOLLECTIONURI and the task endpoint token -> accepted', () => {
    const { SYSTEM_COLLECTIONURI: _uri, SYSTEM_ACCESSTOKEN: _token, ...rest } = agent;
    const context = pipelineContextFrom({
      ...rest,
      SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: 'https://contoso.visualstudio.com/',
      ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: 'tok-456',
    });
    assert.equal(context.collectionUri, 'https://contoso.visualstudio.com/');
    assert.equal(context.accessToken, 'tok-456');
  });

  it('agent variables: nothing set -> one ConfigError listing every missing variable and how to get the token', () => {
    assert.throws(() => pipelineContextFrom({}), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, 5);
      assert.match(error.message, /SYSTEM_COLLECTIONURI/);
      assert.match(error.message, /SYSTEM_TEAMPROJECT/);
      assert.match(error.message, /BUILD_BUILDID/);
      assert.match(error.message, /SYSTEM_DEFINITIONID/);
      assert.match(error.message, /env: SYSTEM_ACCESSTOKEN: \$\(System.AccessToken\)/);
      return true;
    });
  });

  it('agent variables: a build id that is not a number -> ConfigError naming it and the value', () => {
    assert.throws(() => pipelineContextFrom({ ...agent, BUILD_BUILDID: '$(Build.BuildId)' }), /BUILD_BUILDID \(Build.BuildId\): "\$\(Build.BuildId\)" is not a positive whole number/);
  });
});
