from weaklink.cli import main

main(prog_name="weaklink")
