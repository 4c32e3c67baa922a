from sozialgraph.cli.main import main

main()
