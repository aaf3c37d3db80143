package realhost_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// The nginx stand-in: Debian's nginx binary with its libraries and busybox,
// behaving like the official nginx image in what the bundle relies on:
// templates in /etc/nginx/templates/*.template rendered with the
// environment into /etc/nginx/conf.d at start (only variables that are set,
// as the official entrypoint's envsubst does), logs on stdout/stderr, `sh`
// and `wget` for health checks, SIGQUIT to stop gracefully, `nginx -s reload`.

const proxyEntrypoint = `#!/bin/sh
# As the official image's docker-entrypoint.sh with 20-envsubst-on-templates.sh.
set -e
if [ "$1" = nginx ]; then
	template_dir=${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}
	suffix=${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}
	output_dir=${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}
	if [ -d "$template_dir" ] && [ ! -w "$output_dir" ]; then
		echo "$0: ERROR: $template_dir exists, but $output_dir is not writable"
	elif [ -d "$template_dir" ]; then
		find "$template_dir" -follow -type f -name "*$suffix" | while read -r template; do
			relative=${template#"$template_dir/"}
			output=$output_dir/${relative%"$suffix"}
			mkdir -p "$(dirname "$output")"
			echo "$0: rendering $template to $output"
			awk -f /envsubst.awk "$template" >"$output"
		done
	fi
	echo "$0: ready for start up"
fi
exec "$@"
`

// proxyEnvsubst replaces $NAME and ${NAME} for variables set in the
// environment and leaves every other $ alone (nginx's own $host, ...).
const proxyEnvsubst = `{
	line = $0; out = ""
	while (match(line, /\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*/)) {
		tok = substr(line, RSTART, RLENGTH)
		name = tok; sub(/^\$\{?/, "", name); sub(/\}$/, "", name)
		rep = (name in ENVIRON) ? ENVIRON[name] : tok
		out = out substr(line, 1, RSTART - 1) rep
		line = substr(line, RSTART + RLENGTH)
	}
	print out line
}
`

// The official image's nginx.conf.
const proxyNginxConf = `user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /var/run/nginx.pid;

events {
    worker_connections  1024;
}

http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    keepalive_timeout  65;

    include /etc/nginx/conf.d/*.conf;
}
`

const proxyDefaultConf = `server {
    listen       80;
    server_name  localhost;
    location / {
        return 200 "nginx stand-in\n";
    }
}
`

const proxyDockerfile = `FROM scratch
COPY rootfs/ /
EXPOSE 80
STOPSIGNAL SIGQUIT
ENTRYPOINT ["/docker-entrypoint.sh"]
CMD ["nginx", "-g", "daemon off;"]
`

// buildProxy assembles the stand-in from this machine's files, pushes it to
// the registry and returns it by digest.
func (e *engine) buildProxy() (string, error) {
	ctx, err := os.MkdirTemp(e.state, "proxy-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(ctx)
	root := filepath.Join(ctx, "rootfs")
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		nginx = "/usr/sbin/nginx"
	}
	if err := copyWithLibraries(nginx, root, "/usr/sbin/nginx"); err != nil {
		return "", err
	}
	busybox, err := exec.LookPath("busybox")
	if err != nil {
		return "", fmt.Errorf("busybox not found (install busybox-static): %w", err)
	}
	if err := copyWithLibraries(busybox, root, "/bin/busybox"); err != nil {
		return "", err
	}
	if err := busyboxLinks(root); err != nil {
		return "", err
	}
	if err := copyInto(root, "/etc/nginx/mime.types", "/etc/nginx/mime.types", 0o644); err != nil {
		return "", err
	}
	files := map[string]string{
		"docker-entrypoint.sh":          proxyEntrypoint,
		"envsubst.awk":                  proxyEnvsubst,
		"etc/nginx/nginx.conf":          proxyNginxConf,
		"etc/nginx/conf.d/default.conf": proxyDefaultConf,
		"etc/passwd":                    "root:x:0:0:root:/root:/bin/sh\nnginx:x:101:101:nginx:/nonexistent:/bin/false\n",
		"etc/group":                     "root:x:0:\nnginx:x:101:\n",
	}
	for name, body := range files {
		if err := writeFile(filepath.Join(root, name), body, 0o755); err != nil {
			return "", err
		}
	}
	for _, d := range []string{"var/lib/nginx/body", "var/lib/nginx/proxy", "var/lib/nginx/fastcgi", "var/lib/nginx/uwsgi",
		"var/lib/nginx/scgi", "var/log/nginx", "var/cache/nginx", "run", "tmp", "etc/nginx/templates"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return "", err
		}
	}
	for link, target := range map[string]string{"var/run": "/run", "var/log/nginx/access.log": "/dev/stdout", "var/log/nginx/error.log": "/dev/stderr"} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			return "", err
		}
	}
	if err := os.Chmod(filepath.Join(root, "tmp"), 0o1777); err != nil {
		return "", err
	}
	if err := writeFile(filepath.Join(ctx, "Dockerfile"), proxyDockerfile, 0o644); err != nil {
		return "", err
	}
	return e.buildAndPush(ctx, e.registry+"/shipline-test/nginx:standin", false)
}

// copyWithLibraries copies an executable and the shared libraries ldd lists
// for it, each at its own path.
func copyWithLibraries(bin, root, dest string) error {
	if err := copyInto(root, bin, dest, 0o755); err != nil {
		return err
	}
	out, err := exec.Command("ldd", bin).CombinedOutput()
	if strings.Contains(string(out), "not a dynamic executable") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("ldd %s: %w: %s", bin, err, out)
	}
	for _, lib := range regexp.MustCompile(`(?m)(/\S+)\s+\(0x`).FindAllStringSubmatch(string(out), -1) {
		if err := copyInto(root, lib[1], lib[1], 0o755); err != nil {
			return err
		}
	}
	return nil
}

// copyInto copies the file src (following links) to root/dest.
func copyInto(root, src, dest string, mode os.FileMode) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(root, dest), string(data), mode)
}

func writeFile(name, body string, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, []byte(body), mode)
}

func busyboxLinks(root string) error {
	out, err := exec.Command(filepath.Join(root, "bin", "busybox"), "--list").Output()
	if err != nil {
		return fmt.Errorf("busybox --list: %w", err)
	}
	for _, applet := range strings.Fields(string(out)) {
		if applet == "busybox" {
			continue
		}
		if err := os.Symlink("busybox", filepath.Join(root, "bin", applet)); err != nil && !os.IsExist(err) {
			return err
		}
	}
	return nil
}
