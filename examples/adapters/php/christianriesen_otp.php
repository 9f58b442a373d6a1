<?php
// christianriesen/otp (PHP) for the rfc6238 conformance runner (docs/protocol.md).
//   apt-get install php-cli php-christianriesen-otp      (or: composer require christian-riesen/otp)
//   rfc6238 conformance --jsonl 'christianriesen-otp=php examples/adapters/php/christianriesen_otp.php'
// Mapping: raw key bytes; HMAC-SHA1 only (1.4 ships setAlgorithm commented out); setDigits; hotp($secret, $counter) and checkHotp($secret, $counter, $key). Its totp()
// takes a time *counter* the caller computes and checkTotp() reads the clock, so TOTP cases
// are unsupported. Integers above PHP_INT_MAX arrive as decimal strings, as json_decode's
// JSON_BIGINT_AS_STRING gives them to a PHP caller.
ini_set('display_errors', 'stderr');
require_once 'ChristianRiesen/Otp/autoload.php';

use Otp\Otp;

class Unsupported extends Exception {}

function value(array $args, string $name, $default = null) {
    if (!array_key_exists($name, $args)) {
        return $default;
    }
    $raw = $args[$name];
    if (!is_array($raw) || array_is_list($raw)) {
        return $raw;
    }
    $tag = array_key_first($raw);
    $inner = $raw[$tag];
    switch ($tag) {
        case 'bool': case 'str': case 'int': return $inner;
        case 'none': return null;
        case 'float': return ['nan' => NAN, 'inf' => INF, '-inf' => -INF][$inner] ?? (float) $inner;
    }
    throw new Unsupported("$name: a $tag value has no PHP form");
}

function otp(array $args): Otp {
    $otp = new Otp();
    if (value($args, 'algorithm', 'SHA1') !== 'SHA1') {  // setAlgorithm is commented out in 1.4
        throw new Unsupported('HMAC-SHA1 only (no setAlgorithm in this version)');
    }
    $otp->setDigits(value($args, 'digits', 6));
    return $otp;
}

function secret(array $args): string {
    if (!is_string($args['key'] ?? null)) {
        throw new Unsupported('key: not bytes');
    }
    return hex2bin($args['key']);
}

$ops = [
    'hotp' => fn (array $a) => otp($a)->hotp(secret($a), value($a, 'counter')),
    'verify_hotp' => function (array $a) {
        if (value($a, 'look_ahead', 0) != 0) {
            throw new Unsupported('checkHotp checks one counter');
        }
        if (!otp($a)->checkHotp(secret($a), value($a, 'counter'), value($a, 'token'))) {
            throw new InvalidArgumentException('checkHotp returned false');
        }
        return ['offset' => 0];
    },
];

$version = '1.4.3';
while (($line = fgets(STDIN)) !== false) {
    if (trim($line) === '') {
        continue;
    }
    $request = json_decode($line, true, 512, JSON_BIGINT_AS_STRING);
    $reply = ['id' => $request['id']];
    try {
        $op = $request['op'];
        if ($op === 'hello') {
            $reply['result'] = ['name' => 'christianriesen-otp', 'version' => $version];
        } elseif ($op === 'echo') {
            $reply['result'] = (object) ($request['args'] ?? []);
        } elseif (!isset($ops[$op])) {
            $reply['unsupported'] = "no $op operation";
        } else {
            $result = $ops[$op]($request['args'] ?? []);
            $reply['result'] = is_int($result) ? (string) $result : $result;
        }
    } catch (Unsupported $e) {
        $reply['unsupported'] = $e->getMessage();
    } catch (InvalidArgumentException $e) {  // the library's own refusal
        $reply['error'] = get_class($e) . ': ' . $e->getMessage();
    } catch (Throwable $e) {  // TypeError, ValueError, DivisionByZeroError...: PHP itself
        $reply['crash'] = get_class($e) . ': ' . $e->getMessage();
    }
    echo json_encode($reply, JSON_UNESCAPED_SLASHES), "\n";
}
