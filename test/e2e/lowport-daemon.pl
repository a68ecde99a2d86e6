#!/usr/bin/perl
# SPDX-License-Identifier: LGPL-2.1-or-later
# A root daemon as many are: binds a port below 1024, then switches to its own
# user, then answers each client "HELLO uid=<uid>". No modules, so that its closure
# is perl alone. Usage: lowport-daemon.pl PORT UID
my ($port, $uid) = @ARGV;
my ($AF_INET, $SOCK_STREAM, $SOL_SOCKET, $SO_REUSEADDR) = (2, 1, 1, 2);
socket(my $s, $AF_INET, $SOCK_STREAM, 0) or die "socket: $!";
setsockopt($s, $SOL_SOCKET, $SO_REUSEADDR, pack("l", 1)) or die "setsockopt: $!";
bind($s, pack("S n C4 x8", $AF_INET, $port, 127, 0, 0, 1)) or die "bind: $!";
listen($s, 8) or die "listen: $!";
$) = "$uid $uid";
$( = $uid;
$> = $< = $uid;
die "still root" if $> == 0;
while (accept(my $c, $s)) {
        syswrite($c, "HELLO uid=$<\n");
        close($c);
}
