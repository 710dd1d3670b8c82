.PHONY: run test docs lint bench
run:
	go run . serve --demo
test:
	go test ./...
