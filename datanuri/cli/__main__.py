from datanuri.cli import main

main()
