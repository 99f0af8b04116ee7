// The AWS SDK for JavaScript v3 prints a NodeVersionSupportWarning on Node 20 and older: its releases published after
// the first week of January 2027 require Node 22 (@aws-sdk/core, emitWarningIfUnsupportedVersion;
// https://github.com/aws/aws-sdk-js-v3/issues/7983). package.json pins @aws-sdk/* to releases that support
// Node 20, so on Node 20 the notice is not something a user of this command line can act on: it is silenced for every
// command (and the benchmarks) while Node 20 is supported, and only there. On Node 22 and later the SDK prints nothing,
// so nothing is set. When Node 20 is dropped and the pin lifted, this goes too (docs/node.md).
export const AWS_SDK_NOTICE_VARIABLE = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'

/** The first Node major the SDK's newer releases support: below it, the SDK prints its notice. */
const SDK_NODE_MAJOR = 22

/** Silences the SDK's Node-version notice on Node 20 (unless the variable is already set); a no-op on Node 22+. */
export function quietAwsSdkNodeNotice(
  env: NodeJS.ProcessEnv = process.env,
  nodeVersion: string = process.versions.node
): void {
  if (Number(nodeVersion.split('.')[0]) < SDK_NODE_MAJOR) env[AWS_SDK_NOTICE_VARIABLE] ??= 'true'
}
