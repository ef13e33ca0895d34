#!/usr/bin/env bash
# gen.sh (re)creates the keystore fixtures in this folder with real keytool (Java 17).
# openssl is used only to turn a keytool PKCS#12 into PEM files. See README.md for what each file is.
#
# Usage: ./gen.sh          (needs keytool and openssl on PATH; tests never need Java)
#        ./gen.sh FILE...  makes only the named files among those that need nothing else from this
#                          script (client-two.p12, client-mixedcase.p12, trust-empty.p12) and
#                          leaves every other file as it is
set -euo pipefail

cd "$(dirname "$0")"
OUT=$PWD
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Java reads argv and files in the locale's charset: make it UTF-8 so "pässwörd" arrives intact.
export LC_ALL=C.UTF-8
J=(-J-Dfile.encoding=UTF-8 -J-Dsun.jnu.encoding=UTF-8)
P=changeit
DAYS=7300

# kt runs keytool quietly and shows its output only when it fails.
kt() {
	local log="$WORK/keytool.log"
	if ! keytool "${J[@]}" "$@" >"$log" 2>&1; then
		echo "keytool $*" >&2
		cat "$log" >&2
		return 1
	fi
}

# ktyes runs keytool answering "yes" to "Install reply anyway?" (the root is not in the store on purpose).
ktyes() {
	local log="$WORK/keytool.log"
	if ! keytool "${J[@]}" "$@" >"$log" 2>&1 <<<yes; then
		echo "keytool $*" >&2
		cat "$log" >&2
		return 1
	fi
}

# ---------------------------------------------------------------- files that stand alone
# These make their own keys and CA, so that each can be made again without touching the others.

# client-two.p12: two key entries, alpha and beta, issued by their own CA, which keytool also
# holds as a trustedCertEntry (imported first so that the replies install without a prompt).
make_client_two() {
	local f=client-two.p12 ca="$WORK/two-ca.p12"
	rm -f "$f" "$ca"
	kt -genkeypair -keystore "$ca" -storetype PKCS12 -storepass $P -alias ca -keyalg EC -groupname secp256r1 \
		-validity $DAYS -dname "CN=courier-two-ca" -ext bc:c=ca:true -ext ku:c=keyCertSign,cRLSign
	kt -exportcert -keystore "$ca" -storepass $P -alias ca -rfc -file "$WORK/two-ca.pem"
	kt -importcert -noprompt -keystore "$f" -storetype PKCS12 -storepass $P -alias two-ca -file "$WORK/two-ca.pem"
	local a
	for a in alpha beta; do
		kt -genkeypair -keystore "$f" -storetype PKCS12 -storepass $P -alias "$a" -keyalg EC -groupname secp256r1 \
			-validity $DAYS -dname "CN=courier-client-$a"
		kt -certreq -keystore "$f" -storepass $P -alias "$a" -file "$WORK/two-$a.csr"
		kt -gencert -keystore "$ca" -storepass $P -alias ca -infile "$WORK/two-$a.csr" -outfile "$WORK/two-$a.pem" \
			-rfc -validity $DAYS -ext ku:c=digitalSignature -ext eku=clientAuth
		kt -importcert -keystore "$f" -storepass $P -alias "$a" -file "$WORK/two-$a.pem"
	done
}

# client-mixedcase.p12: a key entry made with -alias MyClient (keytool writes "myclient") and a
# trusted entry imported with -alias PartnerCA (keytool keeps that friendlyName's case).
make_client_mixedcase() {
	local f=client-mixedcase.p12 partner="$WORK/partner.p12"
	rm -f "$f" "$partner"
	kt -genkeypair -keystore "$f" -storetype PKCS12 -storepass $P -alias MyClient -keyalg EC -groupname secp256r1 \
		-validity $DAYS -dname "CN=courier-client-mixedcase"
	kt -genkeypair -keystore "$partner" -storetype PKCS12 -storepass $P -alias partner -keyalg EC \
		-groupname secp256r1 -validity $DAYS -dname "CN=courier-partner-ca" -ext bc:c=ca:true
	kt -exportcert -keystore "$partner" -storepass $P -alias partner -rfc -file "$WORK/partner.pem"
	kt -importcert -noprompt -keystore "$f" -storepass $P -alias PartnerCA -file "$WORK/partner.pem"
}

# trust-empty.p12: keytool's empty PKCS#12 store: one entry made, then deleted.
make_trust_empty_p12() {
	rm -f trust-empty.p12
	kt -genkeypair -keystore trust-empty.p12 -storetype PKCS12 -storepass $P -alias gone -keyalg EC \
		-groupname secp256r1 -validity 1 -dname "CN=gone"
	kt -delete -keystore trust-empty.p12 -storepass $P -alias gone
}

make_alone() {
	case $1 in
	client-two.p12) make_client_two ;;
	client-mixedcase.p12) make_client_mixedcase ;;
	trust-empty.p12) make_trust_empty_p12 ;;
	*)
		echo "gen.sh: $1 cannot be made alone; run ./gen.sh without arguments to make everything" >&2
		return 1
		;;
	esac
}

if [[ $# -gt 0 ]]; then
	for f in "$@"; do
		echo "$f"
		make_alone "$f"
	done
	exit 0
fi

rm -f ./*.jks ./*.p12 ./*.jceks ./*.pem ./*.crt ./*.key

# firstcert FILE: the first PEM certificate of FILE. keytool -gencert writes the new certificate
# followed by the signer's chain; the scripts below build the chains themselves.
firstcert() {
	awk '{ print } /-----END CERTIFICATE-----/ { exit }' "$1"
}

# ---------------------------------------------------------------- CAs
echo "root CA"
kt -genkeypair -keystore "$WORK/root.p12" -storetype PKCS12 -storepass $P -alias root \
	-keyalg RSA -keysize 2048 -validity $DAYS -dname "CN=courier-test-root" \
	-ext bc:c=ca:true -ext ku:c=keyCertSign,cRLSign
kt -exportcert -keystore "$WORK/root.p12" -storepass $P -alias root -rfc -file "$WORK/root.pem"

echo "intermediate CA"
kt -genkeypair -keystore "$WORK/int.p12" -storetype PKCS12 -storepass $P -alias int \
	-keyalg RSA -keysize 2048 -validity $DAYS -dname "CN=courier-test-intermediate"
kt -certreq -keystore "$WORK/int.p12" -storepass $P -alias int -file "$WORK/int.csr"
kt -gencert -keystore "$WORK/root.p12" -storepass $P -alias root -infile "$WORK/int.csr" \
	-outfile "$WORK/int-reply.pem" -rfc -validity $DAYS \
	-ext bc:c=ca:true,pathlen:0 -ext ku:c=keyCertSign,cRLSign
firstcert "$WORK/int-reply.pem" >"$WORK/int.pem"
{ firstcert "$WORK/int.pem"; cat "$WORK/root.pem"; } >"$WORK/int-chain.pem"
ktyes -importcert -keystore "$WORK/int.p12" -storepass $P -alias int -file "$WORK/int-chain.pem"

echo "rogue root CA"
kt -genkeypair -keystore "$WORK/rogue.p12" -storetype PKCS12 -storepass $P -alias rogue \
	-keyalg RSA -keysize 2048 -validity $DAYS -dname "CN=courier-rogue-root" \
	-ext bc:c=ca:true -ext ku:c=keyCertSign,cRLSign
kt -exportcert -keystore "$WORK/rogue.p12" -storepass $P -alias rogue -rfc -file "$WORK/rogue.pem"

# ---------------------------------------------------------------- leaves
# leaf STORE TYPE ALIAS DNAME KEYALG EKU [extra keytool -gencert args...]
# makes a key entry, has the intermediate sign it and imports the reply leaf → intermediate → root.
leaf() {
	local store=$1 type=$2 alias=$3 dname=$4 keyalg=$5 eku=$6
	shift 6
	local ku=digitalSignature
	local size=()
	case $keyalg in
	RSA) size=(-keysize 2048) ku=digitalSignature,keyEncipherment ;;
	EC) size=(-groupname secp256r1) ;;
	esac
	kt -genkeypair -keystore "$store" -storetype "$type" -storepass $P -keypass "${KEYPASS:-$P}" \
		-alias "$alias" -keyalg "$keyalg" "${size[@]}" -validity $DAYS -dname "$dname"
	kt -certreq -keystore "$store" -storetype "$type" -storepass $P -keypass "${KEYPASS:-$P}" \
		-alias "$alias" -file "$WORK/$alias.csr"
	kt -gencert -keystore "$WORK/${SIGNER:-int}.p12" -storepass $P -alias "${SIGNER:-int}" \
		-infile "$WORK/$alias.csr" -outfile "$WORK/$alias.pem" -rfc \
		-ext "ku:c=$ku" -ext "eku=$eku" "$@"
	if [[ ${SIGNER:-int} == int ]]; then
		{ firstcert "$WORK/$alias.pem"; cat "$WORK/int.pem" "$WORK/root.pem"; } >"$WORK/$alias-chain.pem"
	else
		{ firstcert "$WORK/$alias.pem"; cat "$WORK/rogue.pem"; } >"$WORK/$alias-chain.pem"
	fi
	ktyes -importcert -keystore "$store" -storetype "$type" -storepass $P -keypass "${KEYPASS:-$P}" \
		-alias "$alias" -file "$WORK/$alias-chain.pem"
}

echo "server.p12"
leaf server.p12 PKCS12 server "CN=localhost" RSA serverAuth -validity $DAYS \
	-ext san=dns:localhost,ip:127.0.0.1,ip:::1

echo "client-rsa.jks"
leaf client-rsa.jks JKS client "CN=courier-client" RSA clientAuth -validity $DAYS

echo "client-ec.jks"
leaf client-ec.jks JKS client-ec "CN=courier-client-ec" EC clientAuth -validity $DAYS

echo "client-ed25519.jks"
leaf client-ed25519.jks JKS client-ed "CN=courier-client-ed25519" Ed25519 clientAuth -validity $DAYS

echo "client.p12"
leaf client.p12 PKCS12 client "CN=courier-client" RSA clientAuth -validity $DAYS

echo "client-trusting.p12"
# The trusted entries go in first so that keytool finds the root itself; the file then holds
# one key entry and two trustedCertEntries, in an order go-pkcs12's DecodeChain does not expect.
kt -importcert -noprompt -keystore client-trusting.p12 -storetype PKCS12 -storepass $P -alias root -file "$WORK/root.pem"
kt -importcert -noprompt -keystore client-trusting.p12 -storetype PKCS12 -storepass $P -alias intermediate -file "$WORK/int.pem"
leaf client-trusting.p12 PKCS12 client "CN=courier-client-trusting" RSA clientAuth -validity $DAYS

echo "client-legacy.p12"
kt -J-Dkeystore.pkcs12.legacy -importkeystore -srckeystore client.p12 -srcstoretype PKCS12 -srcstorepass $P \
	-destkeystore client-legacy.p12 -deststoretype PKCS12 -deststorepass $P

echo "client-keypass.jks"
KEYPASS=keypass1 leaf client-keypass.jks JKS client "CN=courier-client-keypass" RSA clientAuth -validity $DAYS

echo "client-multi.jks"
leaf client-multi.jks JKS alpha "CN=courier-client-alpha" EC clientAuth -validity $DAYS
leaf client-multi.jks JKS beta "CN=courier-client-beta" EC clientAuth -validity $DAYS

echo "client-noint.jks"
# A reply made of the leaf twice: keytool removes the duplicate, finds no issuer in the store and,
# once told "yes", stores the chain as the leaf alone.
kt -genkeypair -keystore client-noint.jks -storetype JKS -storepass $P -alias client \
	-keyalg EC -groupname secp256r1 -validity $DAYS -dname "CN=courier-client-noint"
kt -certreq -keystore client-noint.jks -storepass $P -alias client -file "$WORK/noint.csr"
kt -gencert -keystore "$WORK/int.p12" -storepass $P -alias int -infile "$WORK/noint.csr" \
	-outfile "$WORK/noint.pem" -rfc -validity $DAYS -ext ku:c=digitalSignature -ext eku=clientAuth
{ firstcert "$WORK/noint.pem"; firstcert "$WORK/noint.pem"; } >"$WORK/noint-twice.pem"
ktyes -importcert -keystore client-noint.jks -storepass $P -alias client -file "$WORK/noint-twice.pem"

echo "client-expired.jks"
leaf client-expired.jks JKS client "CN=courier-client-expired" EC clientAuth -startdate -3y -validity 365

echo "rogue-client.jks"
SIGNER=rogue leaf rogue-client.jks JKS client "CN=courier-rogue-client" EC clientAuth -validity $DAYS

echo "truststores"
kt -importcert -noprompt -keystore trust.jks -storetype JKS -storepass $P -alias root -file "$WORK/root.pem"
kt -importcert -noprompt -keystore trust.p12 -storetype PKCS12 -storepass $P -alias root -file "$WORK/root.pem"
kt -importcert -noprompt -keystore trust-rogue.jks -storetype JKS -storepass $P -alias rogue -file "$WORK/rogue.pem"
kt -importcert -noprompt -keystore trust-empty.jks -storetype JKS -storepass $P -alias root -file "$WORK/root.pem"
kt -delete -keystore trust-empty.jks -storetype JKS -storepass $P -alias root

for f in client-two.p12 client-mixedcase.p12 trust-empty.p12; do
	echo "$f"
	make_alone "$f"
done

echo "client.jceks"
kt -genkeypair -keystore client.jceks -storetype JCEKS -storepass $P -alias client \
	-keyalg EC -groupname secp256r1 -validity $DAYS -dname "CN=courier-client-jceks"

echo "unicode-pass.jks"
kt -genkeypair -keystore unicode-pass.jks -storetype JKS -storepass 'pässwörd' -alias client \
	-keyalg EC -groupname secp256r1 -validity $DAYS -dname "CN=courier-client-unicode"

# ---------------------------------------------------------------- PEM
echo "PEM files"
openssl pkcs12 -in client.p12 -passin pass:$P -clcerts -nokeys | openssl x509 >"$WORK/client-leaf.pem"
cat "$WORK/client-leaf.pem" "$WORK/int.pem" >client.crt
openssl pkcs12 -in client.p12 -passin pass:$P -nocerts -nodes | openssl pkey >client.key
openssl pkey -in client.key -traditional >client-rsa1.key
cp "$WORK/root.pem" ca.pem
cp "$WORK/int.pem" intermediate.pem
cat client.crt client.key >client-bundle.pem
openssl pkcs8 -topk8 -in client.key -passout pass:$P -v2 aes-256-cbc >client-encrypted.key

# The EC and Ed25519 keys leave JKS through a keytool PKCS#12 so that openssl can read them.
kt -importkeystore -srckeystore client-ec.jks -srcstoretype JKS -srcstorepass $P \
	-destkeystore "$WORK/ec.p12" -deststoretype PKCS12 -deststorepass $P
openssl pkcs12 -in "$WORK/ec.p12" -passin pass:$P -clcerts -nokeys | openssl x509 >client-ec.crt
cat "$WORK/int.pem" >>client-ec.crt
openssl pkcs12 -in "$WORK/ec.p12" -passin pass:$P -nocerts -nodes | openssl ec 2>/dev/null >client-ec.key
kt -importkeystore -srckeystore client-ed25519.jks -srcstoretype JKS -srcstorepass $P \
	-destkeystore "$WORK/ed.p12" -deststoretype PKCS12 -deststorepass $P
openssl pkcs12 -in "$WORK/ed.p12" -passin pass:$P -clcerts -nokeys | openssl x509 >client-ed25519.crt
cat "$WORK/int.pem" >>client-ed25519.crt
openssl pkcs12 -in "$WORK/ed.p12" -passin pass:$P -nocerts -nodes | openssl pkey >client-ed25519.key

echo "done: $(ls | grep -v -e gen.sh -e README.md | wc -l) files in $OUT"
