#!/usr/bin/perl
# Pass::OTP (Perl) for the rfc6238 conformance runner (docs/protocol.md).
#   apt-get install libpass-otp-perl
#   rfc6238 conformance --jsonl 'pass-otp=perl examples/adapters/perl/pass_otp.pl'
# Mapping: the key as hex (secret => HEX, its default), algorithm => the lower-case name
# ('sha256', as its documentation writes it), counter / now / start-time (T0) / period;
# Pass::OTP::URI::parse for Key URIs. It only generates: no verification.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Protocol;
use Pass::OTP qw(hotp totp);
use Pass::OTP::URI;

sub common {
    my ($args) = @_;
    die Protocol::Unsupported->new('key: not bytes') if ref $args->{key};
    my $alg = Protocol::value($args, 'algorithm', 'SHA1');
    return (secret => $args->{key}, digits => Protocol::value($args, 'digits', 6),
            algorithm => defined $alg && $alg =~ /^[\x20-\x7e]*\z/ ? lc $alg : $alg);
}

Protocol::serve('pass-otp', $Pass::OTP::VERSION, {
    hotp => sub {
        my ($args) = @_;
        return hotp(common($args), counter => Protocol::value($args, 'counter'));
    },
    totp => sub {
        my ($args) = @_;
        return totp(common($args), now => Protocol::value($args, 'time'),
                    'start-time' => Protocol::value($args, 't0', 0),
                    period => Protocol::value($args, 'period', 30));
    },
    parse_uri_then_code => sub {
        my ($args) = @_;
        my %options = Pass::OTP::URI::parse(Protocol::value($args, 'uri'));
        return Pass::OTP::otp(%options, now => Protocol::value($args, 'time'));
    },
});
