#!/usr/bin/env bash
# make-certs.sh OUT_DIR NAME [NAME...]
#
# Test certificates for dmaemu remoting over TLS (dmaemu node --tls-dir DIR, or DMAEMU_TLS_DIR):
# a private CA and, for each NAME, a directory OUT_DIR/NAME that one node uses as its --tls-dir:
#
#   OUT_DIR/ca/ca.crt, ca.key            the CA (made once; later runs with the same OUT_DIR reuse it)
#   OUT_DIR/NAME/keystore.p12            PKCS12: NAME's private key and certificate (CN=NAME), signed by the CA
#   OUT_DIR/NAME/keystore.password       its password (one line; also the key's password)
#   OUT_DIR/NAME/truststore.p12          PKCS12: the CA certificate, as a trusted entry
#   OUT_DIR/NAME/truststore.password     its password
#
# Nodes accept each other only if their certificates come from the same CA (mutual authentication).
# For tests and private clusters: the CA key sits unencrypted in OUT_DIR/ca. Needs openssl and keytool.
set -euo pipefail

usage() { echo "usage: $0 OUT_DIR NAME [NAME...]" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
out="$1"; shift
for tool in openssl keytool; do
  command -v "$tool" >/dev/null 2>&1 || { echo "make-certs.sh: $tool is not on PATH" >&2; exit 1; }
done
for name in "$@"; do
  [[ "$name" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ && "$name" != "ca" ]] \
    || { echo "make-certs.sh: '$name' is not a usable node name (letters, digits, . _ -; not 'ca')" >&2; exit 2; }
done

days=825
umask 077
mkdir -p "$out/ca"
ca_key="$out/ca/ca.key"
ca_crt="$out/ca/ca.crt"
if [[ ! -f "$ca_key" || ! -f "$ca_crt" ]]; then
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" \
    -keyout "$ca_key" -out "$ca_crt" \
    -subj "/CN=dmaemu test CA $(date -u +%Y%m%dT%H%M%SZ)-$RANDOM" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  echo "make-certs.sh: new CA $ca_crt" >&2
else
  echo "make-certs.sh: reusing CA $ca_crt" >&2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for name in "$@"; do
  dir="$out/$name"
  mkdir -p "$dir"
  openssl rand -hex 24 > "$dir/keystore.password"
  openssl rand -hex 24 > "$dir/truststore.password"

  openssl req -new -newkey rsa:2048 -nodes -sha256 \
    -keyout "$work/$name.key" -out "$work/$name.csr" -subj "/CN=$name" 2>/dev/null
  printf '%s\n' \
    "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth,clientAuth" \
    "subjectAltName=DNS:$name" > "$work/$name.ext"
  openssl x509 -req -sha256 -days "$days" -in "$work/$name.csr" \
    -CA "$ca_crt" -CAkey "$ca_key" -set_serial "0x$(openssl rand -hex 16)" \
    -extfile "$work/$name.ext" -out "$work/$name.crt" 2>/dev/null

  rm -f "$dir/keystore.p12" "$dir/truststore.p12"
  openssl pkcs12 -export -name "$name" \
    -inkey "$work/$name.key" -in "$work/$name.crt" -certfile "$ca_crt" \
    -out "$dir/keystore.p12" -passout "file:$dir/keystore.password"
  # A trust store needs a trusted-certificate entry, which keytool writes (openssl 1.x cannot).
  keytool -importcert -noprompt -alias dmaemu-ca -file "$ca_crt" \
    -keystore "$dir/truststore.p12" -storetype PKCS12 \
    -storepass:file "$dir/truststore.password" >/dev/null 2>&1
  echo "make-certs.sh: $dir (CN=$name)" >&2
done
