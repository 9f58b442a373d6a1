package Protocol;
# The JSON-lines protocol of docs/protocol.md for Perl adapters: one request per line in,
# one reply per line out. serve(name, version, {op => sub { my ($args) = @_; ... }}): an
# operation returns the result, or dies. die Protocol::Unsupported->new("why") makes the case
# unsupported; any other death is a clean rejection ("error") when the library died on
# purpose (its own message) and a crash when Perl itself died (a method on undef, a
# division by zero, a non-numeric argument...).
use strict;
use warnings;
use JSON::PP;
use Math::BigInt;

my $json = JSON::PP->new->utf8->canonical->allow_nonref;

package Protocol::Unsupported {
    sub new { my ($class, $why) = @_; return bless { why => $why }, $class }
}

my $RUNTIME = qr/Can't (locate|use|call)|Not an? \w+ reference|Illegal division|Modification of|
    Undefined subroutine|isn't numeric|Deep recursion|Out of memory|Attempt to|negative repeat/x;

# A Perl value for a field: numbers exactly (Math::BigInt from FIELD_text), tags as Perl
# values where Perl has them (bool as 1/0, none as undef, str, float); others unsupported.
sub value {
    my ($args, $name, $default) = @_;
    return $default unless exists $args->{$name};
    my $text = $args->{"${name}_text"};
    if (defined $text && !ref $text) {  # exact; a plain Perl number while that is exact too
        return length($text) < 16 ? $text + 0 : Math::BigInt->new($text);
    }
    my $raw = $args->{$name};
    return $raw unless ref $raw eq 'HASH';
    my ($tag, $inner) = %$raw;
    return $inner ? 1 : 0 if $tag eq 'bool';
    return undef if $tag eq 'none';
    return $inner if $tag eq 'str' || $tag eq 'int';
    return $inner + 0 if $tag eq 'float' && $inner !~ /nan|inf/;
    die Protocol::Unsupported->new("$name: a $tag value has no Perl form");
}

sub serve {
    my ($name, $version, $ops) = @_;
    $| = 1;
    while (my $line = <STDIN>) {
        next unless $line =~ /\S/;
        my $request = $json->decode($line);
        my $reply = { id => $request->{id} };
        my $op = $request->{op};
        if ($op eq 'hello') {
            $reply->{result} = { name => $name, version => $version };
        } elsif ($op eq 'echo') {
            $reply->{result} = $request->{args};
        } elsif (!$ops->{$op}) {
            $reply->{unsupported} = "no $op operation";
        } else {
            my $result = eval { $ops->{$op}->($request->{args} || {}) };
            if (my $err = $@) {
                if (ref $err eq 'Protocol::Unsupported') {
                    $reply->{unsupported} = $err->{why};
                } else {
                    (my $text = "$err") =~ s/\s+\z//;
                    $reply->{ $text =~ $RUNTIME ? 'crash' : 'error' } = $text;
                }
            } else {
                $reply->{result} = ref $result ? $result : "$result";
            }
        }
        print $json->encode($reply), "\n";
    }
}

1;
