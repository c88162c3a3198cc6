module partyline/test/sdk/go

go 1.22

require github.com/plivo/plivo-go/v7 v7.60.2

require (
	github.com/go-playground/locales v0.14.1 // indirect
	github.com/go-playground/universal-translator v0.16.0 // indirect
	github.com/google/go-querystring v1.1.0 // indirect
	github.com/leodido/go-urn v1.2.4 // indirect
	gopkg.in/go-playground/validator.v9 v9.31.0 // indirect
)
