from xinzhi.cli import main

main()
