module authz

go 1.19
