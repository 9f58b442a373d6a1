#!/usr/bin/perl
# Authen::OATH (Perl) for the rfc6238 conformance runner (docs/protocol.md).
#   apt-get install libauthen-oath-perl
#   rfc6238 conformance --jsonl 'authen-oath=perl examples/adapters/perl/authen_oath.pl'
# Mapping: the key as raw bytes; digest => a class whose new() is Digest::SHA's (the module's
# documented way to pick a hash: it names a class); timestep = period; totp($secret, $time);
# no T0, no verification, no window (the module only generates).
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Protocol;
use Authen::OATH;
use Digest::SHA;

package SHA1 { sub new { Digest::SHA->new(1) } }
package SHA256 { sub new { Digest::SHA->new(256) } }
package SHA512 { sub new { Digest::SHA->new(512) } }
package main;

my %DIGEST = (SHA1 => 'SHA1', SHA256 => 'SHA256', SHA512 => 'SHA512');

sub oath {
    my ($args, %extra) = @_;
    my $alg = Protocol::value($args, 'algorithm', 'SHA1');
    die Protocol::Unsupported->new("algorithm: no digest class for it") unless defined $alg && $DIGEST{$alg};
    return Authen::OATH->new(digits => Protocol::value($args, 'digits', 6), digest => $DIGEST{$alg}, %extra);
}

sub key {
    my ($args) = @_;
    die Protocol::Unsupported->new('key: not bytes') if ref $args->{key};
    return pack 'H*', $args->{key};
}

Protocol::serve('authen-oath', $Authen::OATH::VERSION, {
    hotp => sub {
        my ($args) = @_;
        return oath($args)->hotp(key($args), Protocol::value($args, 'counter'));
    },
    totp => sub {
        my ($args) = @_;
        die Protocol::Unsupported->new('no T0 parameter') if Protocol::value($args, 't0', 0) != 0;
        my $oath = oath($args, timestep => Protocol::value($args, 'period', 30));
        return $oath->totp(key($args), Protocol::value($args, 'time'));
    },
});
