module example.com/ingest

go 1.21

require (
	github.com/gin-gonic/gin v1.6.3
	golang.org/x/text v0.3.5
)

require (
	github.com/dgrijalva/jwt-go v3.2.0+incompatible // indirect
	github.com/golang/protobuf v1.3.3 // indirect
)
