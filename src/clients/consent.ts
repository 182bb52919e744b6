/**
 * Version of the one-screen notice read to a client at registration (purpose, what is kept, who sees
 * it, how long, how to ask for erasure). Registration records the version the client agreed to.
 * Publishing new versions from the admin pages is part of the privacy-operations work.
 */
export const CURRENT_NOTICE_VERSION = '2026-01';
