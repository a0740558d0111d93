from aidctl.cli import main

main()
