module github.com/ada-mcp/ada-mcp

go 1.26
