module corepattern

go 1.19
