module example.com/corepattern

go 1.19
