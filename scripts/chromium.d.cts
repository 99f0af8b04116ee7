// Types for chromium.cjs (plain CommonJS, so that it runs before node_modules exists).
export declare class ChromiumError extends Error {}
/** Where Debian's package puts it. */
export declare const DEBIAN_CHROMIUM: string
/** `CHROMIUM_PATH` when set (it must exist), else /usr/bin/chromium (or `debian`), else a `chromium` on PATH. */
export declare function findChromium(debian?: string): string | undefined
/** apt-get can install it: root, with apt, and no CHROMIUM_PATH chosen. */
export declare function canInstall(): boolean
/** What the developer should run, when the tests cannot install it themselves. */
export declare function neededMessage(): string
/** apt-get update && apt-get install -y chromium, one process at a time; its path, or a ChromiumError. */
export declare function installChromium(log?: (line: string) => void, debian?: string): string
/** Found, or installed when possible; a ChromiumError with the command to run otherwise. */
export declare function ensureChromium(log?: (line: string) => void): string
