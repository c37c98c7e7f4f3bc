#!/usr/bin/env bats
# store-azure.bats: the Azure Blob backend against Azurite (Shared Key and
# SAS), with faults injected by a proxy.
load helper
load store-helper

setup_file() {
	start_azure
}

teardown_file() {
	stop_servers
}

teardown() {
	stop_proxy
}

@test "store-azure: every operation round-trips, blocks included" {
	roundtrip az://cont/pre
}

@test "store-azure: names with XML's special characters list right" {
	run -0 --separate-stderr "$TQ_STORE" az://cont/x putstr 'a&b<c>"d' v
	run -0 --separate-stderr "$TQ_STORE" az://cont/x list
	[ "$output" = '1 a&b<c>"d' ]
	run -0 --separate-stderr "$TQ_STORE" az://cont/x del 'a&b<c>"d'
}

@test "store-azure: a container without a prefix works on its root" {
	run -0 --separate-stderr "$TQ_STORE" az://cont putstr root-key v
	run -0 --separate-stderr "$TQ_STORE" az://cont getbuf root-key 10
	[ "$output" = v ]
	run -0 --separate-stderr "$TQ_STORE" az://cont del root-key
}

@test "store-azure: AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY with an endpoint" {
	AZURE_STORAGE_CONNECTION_STRING='' AZURE_STORAGE_ACCOUNT=devstoreaccount1 \
		AZURE_STORAGE_KEY=$AZ_KEY run -0 --separate-stderr "$TQ_STORE" \
		-e "http://127.0.0.1:$AZ_PORT/devstoreaccount1" az://cont/k putstr obj v
	run -0 --separate-stderr "$TQ_STORE" az://cont/k getbuf obj 10
	[ "$output" = v ]
}

@test "store-azure: SAS tokens work, and a read-only one cannot write" {
	local sas ro
	sas=$(node "$TQ_NODE/azure-sas.js" rwdlac)
	ro=$(node "$TQ_NODE/azure-sas.js" rl)
	AZURE_STORAGE_CONNECTION_STRING='' AZURE_STORAGE_ACCOUNT=devstoreaccount1 \
		AZURE_STORAGE_SAS_TOKEN=$sas run -0 --separate-stderr "$TQ_STORE" \
		-e "http://127.0.0.1:$AZ_PORT/devstoreaccount1" az://cont/sas putstr obj v
	AZURE_STORAGE_CONNECTION_STRING='' AZURE_STORAGE_ACCOUNT=devstoreaccount1 \
		AZURE_STORAGE_SAS_TOKEN=$ro run -0 --separate-stderr "$TQ_STORE" \
		-e "http://127.0.0.1:$AZ_PORT/devstoreaccount1" az://cont/sas list
	[ "$output" = "1 obj" ]
	AZURE_STORAGE_CONNECTION_STRING='' AZURE_STORAGE_ACCOUNT=devstoreaccount1 \
		AZURE_STORAGE_SAS_TOKEN=$ro run -1 --separate-stderr "$TQ_STORE" \
		-e "http://127.0.0.1:$AZ_PORT/devstoreaccount1" az://cont/sas putstr obj2 v
	[ "$stderr" = "tq-store: put obj2: HTTP 403 AuthorizationPermissionMismatch: This request is not authorized to perform this operation using this permission." ]
	[[ $stderr != *sig=* ]]
}

@test "store-azure: a connection string with a SharedAccessSignature" {
	local sas
	sas=$(node "$TQ_NODE/azure-sas.js" rwdlac)
	AZURE_STORAGE_CONNECTION_STRING="BlobEndpoint=http://127.0.0.1:$AZ_PORT/devstoreaccount1;SharedAccessSignature=$sas" \
		run -0 --separate-stderr "$TQ_STORE" az://cont/cs putstr obj v
	run -0 --separate-stderr "$TQ_STORE" az://cont/cs getbuf obj 10
	[ "$output" = v ]
}

@test "store-azure: a wrong key is a clear error, without retries" {
	local bad
	bad=$(printf 'not the key at all' | base64)
	start_proxy "$AZ_PORT" ok
	AZURE_STORAGE_CONNECTION_STRING="AccountName=devstoreaccount1;AccountKey=$bad;BlobEndpoint=http://127.0.0.1:$PROXY_PORT/devstoreaccount1" \
		run -1 --separate-stderr "$TQ_STORE" az://cont/p getbuf k 10
	[[ $stderr == "tq-store: get k: HTTP 403 AuthorizationFailure: "* ]]
	[ "$(requests)" = 1 ]
	[[ $stderr != *"$bad"* ]]
}

@test "store-azure: a missing container is an error, not a missing object" {
	run -1 --separate-stderr "$TQ_STORE" az://nocontainer/p getbuf k 10
	[ "$stderr" = "tq-store: get k: HTTP 404 ContainerNotFound: The specified container does not exist." ]
	run -1 --separate-stderr "$TQ_STORE" az://nocontainer/p head k
	[[ $stderr == "tq-store: head k: HTTP 404 ContainerNotFound"* ]]
}

@test "store-azure: uploads and reads survive faults" {
	head -c 11000000 /dev/urandom >"$BATS_TEST_TMPDIR/f"
	start_proxy "$AZ_PORT" 503,ok,500,reset,ok,cut,429
	AZURE_STORAGE_CONNECTION_STRING=$(az_cs "$PROXY_PORT") run -0 --separate-stderr \
		"$TQ_STORE" -p 5 -c 2 az://cont/up put big "$BATS_TEST_TMPDIR/f"
	AZURE_STORAGE_CONNECTION_STRING=$(az_cs "$PROXY_PORT") "$TQ_STORE" \
		az://cont/up get big | cmp - "$BATS_TEST_TMPDIR/f"
	[ "$(requests)" -ge 9 ]
}

@test "store-azure: faults that never stop fail the upload and leave nothing" {
	head -c 11000000 /dev/urandom >"$BATS_TEST_TMPDIR/f"
	start_proxy "$AZ_PORT" ok,forever:500
	AZURE_STORAGE_CONNECTION_STRING=$(az_cs "$PROXY_PORT") run -1 --separate-stderr \
		"$TQ_STORE" -r 2 -p 5 az://cont/never put big "$BATS_TEST_TMPDIR/f"
	[ "$stderr" = "tq-store: put block of big: HTTP 500 InternalError: injected by faultproxy (retries exhausted)" ]
	run -0 --separate-stderr "$TQ_STORE" az://cont/never list
	[ -z "$output" ]
}

@test "store-azure: tempo-gen | tempo-pack into the container; tempo-get and tempo-ql answer as over the local store" {
	pack_and_compare az://cont/pipe
}
