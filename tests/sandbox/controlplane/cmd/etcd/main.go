// Command etcd is etcd's own server main, built in this module so its version matches k8s's client.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
