#!/usr/bin/env bash
# Offline part of scripts/sam-local.sh: builds a stand-in for the Lambda base image SAM runs functions in,
# `public.ecr.aws/lambda/provided:al2023-<arch>`, for a machine that cannot pull from that registry.
#
# The stand-in is built FROM scratch out of Debian packages (apt-get download, from the Debian mirror):
# libc6 and libgcc-s1 (the cargo-lambda bootstrap links glibc >= 2.30 and libgcc_s), busybox-static
# (the /bin/sh, mv and chmod SAM's own image build runs to add the RIE), plus /var/task, /var/runtime,
# /opt, /tmp, a CA bundle and the real image's ENV and WORKDIR. It is tagged with the real image's name in
# the private Docker daemon scripts/sam-local.sh starts, so `sam local ... --skip-pull-image` uses it.
# It is not Amazon Linux: what it checks is that the functions start, answer and reach Cognito in a Lambda
# container under SAM's RIE, not the exact OS libraries of Lambda.
#
# Usage: DOCKER_HOST=... scripts/sam-local/standin-image.sh <x86_64|arm64> <work-dir>
# Rebuilds only when this script changed (the image carries its hash as a label).
set -euo pipefail
arch=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
docker=${DOCKER:-docker}
image="public.ecr.aws/lambda/provided:al2023-$arch"
case "$arch" in
  x86_64) deb_arch=amd64 platform=linux/amd64 ;;
  arm64) deb_arch=arm64 platform=linux/arm64 ;;
  *) echo "standin-image: unknown architecture $arch" >&2; exit 2 ;;
esac
version=$(sha256sum "$here/standin-image.sh" | cut -c1-16)
label=cognito-user-pool-rs.standin
have=$("$docker" image inspect --format "{{index .Config.Labels \"$label\"}}" "$image" 2>/dev/null || true)
if [ "$have" = "$version" ]; then
  echo "standin-image: $image is the current stand-in ($version)" >&2
  exit 0
fi

echo "standin-image: building the stand-in $image from Debian packages" >&2
if [ "$deb_arch" != "$(dpkg --print-architecture)" ] \
  && ! dpkg --print-foreign-architectures | grep -qx "$deb_arch"; then
  dpkg --add-architecture "$deb_arch"
  apt-get update -q >&2
fi
rm -rf "$work" && mkdir -p "$work/debs" "$work/context/rootfs"
# apt-get download writes into the current directory (as root: it warns that _apt cannot write there).
if ! (cd "$work/debs" && apt-get download -q "libc6:$deb_arch" "libgcc-s1:$deb_arch" "busybox-static:$deb_arch") \
  > "$work/download.log" 2>&1; then
  cat "$work/download.log" >&2
  echo "standin-image: apt-get download failed (apt-get update first?)" >&2
  exit 1
fi
for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/context/rootfs"; done

root=$work/context/rootfs
rm -rf "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/lintian" "$root/usr/share/locale"
mkdir -p "$root/var/task" "$root/var/runtime" "$root/opt" "$root/tmp" "$root/etc/pki/tls/certs" \
  "$root/etc/ssl/certs" "$root/usr/bin" "$root/usr/local/bin"
chmod 1777 "$root/tmp"
# The few applets anything in the image runs: SAM's Dockerfile (RUN mv ... && chmod ...), a debugging shell.
for applet in sh mv cp chmod rm mkdir ls cat env ln echo true sleep uname id; do
  ln -sf busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nsbx_user1051:x:993:990::/home/sbx_user1051:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nsbx_user1051:x:990:\n' > "$root/etc/group"
# Amazon Linux keeps its bundle at /etc/pki/tls/certs/ca-bundle.crt; Debian's path links to it.
bundle=/etc/ssl/certs/ca-certificates.crt
[ -s "$bundle" ] || { echo "standin-image: no CA bundle at $bundle (apt-get install ca-certificates)" >&2; exit 1; }
cp "$bundle" "$root/etc/pki/tls/certs/ca-bundle.crt"
ln -sf /etc/pki/tls/certs/ca-bundle.crt "$root/etc/ssl/certs/ca-certificates.crt"
ln -sf /etc/pki/tls/certs/ca-bundle.crt "$root/etc/ssl/certs/ca-bundle.crt"

# ENV and WORKDIR as in the real provided:al2023 image (aws-lambda-base-images).
cat > "$work/context/Dockerfile" <<EOF
FROM scratch
COPY rootfs/ /
ENV LANG=en_US.UTF-8
ENV TZ=:/etc/localtime
ENV PATH=/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin
ENV LD_LIBRARY_PATH=/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib
ENV LAMBDA_TASK_ROOT=/var/task
ENV LAMBDA_RUNTIME_DIR=/var/runtime
WORKDIR /var/task
LABEL $label=$version
LABEL org.opencontainers.image.description="Offline stand-in for public.ecr.aws/lambda/provided:al2023-$arch (Debian glibc + busybox), built by cognito-user-pool-rs scripts/sam-local/standin-image.sh"
EOF
# --platform sets the image's architecture (a FROM scratch build has no base to inherit it from).
"$docker" build --quiet --platform "$platform" -t "$image" "$work/context" >&2
echo "standin-image: built $image ($(du -sh "$root" | cut -f1) of files)" >&2
