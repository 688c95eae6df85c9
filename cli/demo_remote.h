/* `aiotsec demo --adm URL`: the demo's transport goes to a remote ADM over HTTP/2
 * (libaiotsec-h2client) instead of the in-process one (demo_net.c). */
#ifndef AIOTSEC_CLI_DEMO_REMOTE_H
#define AIOTSEC_CLI_DEMO_REMOTE_H

/* Before demo_net_build(): the ADM's apiRoot (http:// or https://) and, for
 * https, the CA file to trust (NULL: the system's). The strings must outlive the demo. */
void demo_net_remote(const char *api_root, const char *ca_file);

#endif
