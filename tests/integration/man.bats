#!/usr/bin/env bats
# The man pages stay true to --help: the same options, both ways, and a page
# for every implemented command.

load helpers

# The long options a text mentions: --name, from --help or from troff (\-\-name).
long_options() { sed 's/\\-/-/g' | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u; }

@test "every implemented command has a man page" {
  for c in create delete events exec features kill list pause ps resume run spec start state update validate; do
    [ -f "$TOP/man/ocirun-$c.8" ] || { echo "no man page for $c"; false; }
  done
  [ -f "$TOP/man/ocirun.8" ]
}

@test "each man page lists exactly the options of its --help" {
  for page in "$TOP"/man/ocirun-*.8; do
    c=$(basename "$page" .8); c=${c#ocirun-}
    help=$("$OCIRUN" "$c" --help | long_options)
    # Only the OPTIONS section of the page: other sections may mention flags.
    man_opts=$(sed -n '/^\.SH OPTIONS/,/^\.SH [^O]/p' "$page" | long_options)
    [ "$help" = "$man_opts" ] || { echo "$c: --help has [$help], man page has [$man_opts]"; false; }
  done
}

@test "ocirun(8) lists exactly the global options of --help" {
  help=$("$OCIRUN" --help | sed -n '/^global options/,$p' | long_options)
  man_opts=$(sed -n '/^\.SH GLOBAL OPTIONS/,/^\.SH [^G]/p' "$TOP/man/ocirun.8" | long_options)
  [ "$help" = "$man_opts" ]
}
