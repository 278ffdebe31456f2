//! Discovery, listing (the server's Table format, as `kubectl get` prints it) and watching of
//! every kind of object, CRDs included.
