/**
 * Variables that would steer terraform away from what a check or drill asked for: extra arguments for every or one
 * subcommand (`TF_CLI_ARGS`, `TF_CLI_ARGS_plan`: a `-target` or `-var` there hides drift), another workspace, data
 * folder or state. Pipeline variables reach tasks as environment variables, so whoever queues a run could set them;
 * terraform is always run without them (https://developer.hashicorp.com/terraform/cli/config/environment-variables).
 */
const STEERING = /^(TF_CLI_ARGS(_.*)?|TF_WORKSPACE|TF_DATA_DIR|TF_STATE|TF_LOG_PATH)$/i;

/** The environment for a terraform child process: `base` without the steering variables, plus `extra`. */
export function terraformEnv(base: NodeJS.ProcessEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(base).filter(([name]) => !STEERING.test(name))), ...extra };
}
