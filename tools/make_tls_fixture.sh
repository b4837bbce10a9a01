#!/bin/sh
# Creates the throwaway self-signed certificate of the wss:// test (Tests/SubtensorTests/Fixtures/tls):
# CN=localhost, SAN DNS:localhost and IP:127.0.0.1, valid 100 years. Test use only.
set -e
out="$(dirname "$0")/../Tests/SubtensorTests/Fixtures/tls"
mkdir -p "$out"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$out/key.pem" -out "$out/cert.pem"
