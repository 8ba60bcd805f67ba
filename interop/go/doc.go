// Package interop is the Go client interop suite of rocketactor (project issue #11, the Go
// part): the tests start a cluster of real rocketactor processes (two name servers, broker-a
// SYNC_MASTER with its SLAVE, broker-b ASYNC_MASTER) and drive it with the Apache
// rocketmq-client-go/v2 client. See README.md for how to run it and what it covers.
package interop
