#!/usr/bin/env ruby
# frozen_string_literal: true

# ROTP (Ruby) for the rfc6238 conformance runner (docs/protocol.md).
#   apt-get install ruby-rotp      (Debian; or: gem install rotp)
#   rfc6238 conformance --jsonl 'rotp=ruby examples/adapters/ruby/rotp_adapter.rb'
# Mapping: the key as base32 (key_base32; ROTP takes base32 secrets), digest: the lower-case
# OpenSSL name, interval = period; verify with drift_behind/drift_ahead in seconds
# (window * period); HOTP verify with retries = look-ahead. No T0. Ruby integers are exact,
# so the numbers are read as they are.
require 'json'
require 'time'
require 'rotp'
require 'rotp/version'

class Unsupported < StandardError; end

# A Ruby value for a tagged field, as a Ruby caller could pass it.
def value(args, name, default = nil)
  return default unless args.key?(name)

  raw = args[name]
  return raw unless raw.is_a?(Hash)

  tag, inner = raw.first
  case tag
  when 'bool', 'str', 'int' then inner
  when 'none' then nil
  when 'float' then { 'nan' => Float::NAN, 'inf' => Float::INFINITY, '-inf' => -Float::INFINITY }.fetch(inner) { Float(inner) }
  when 'datetime'
    raise Unsupported, "#{name}: naive datetime" unless inner =~ /([+-]\d\d:\d\d|Z)\z/

    Time.iso8601(inner)
  else raise Unsupported, "#{name}: a #{tag} value has no Ruby form"
  end
end

def digest(args)
  name = value(args, 'algorithm', 'SHA1')
  name.is_a?(String) && name.ascii_only? ? name.downcase : name
end

def secret(args)
  raise Unsupported, 'key: not bytes' unless args['key_base32'].is_a?(String)

  args['key_base32']
end

def no_t0(args)
  raise Unsupported, 'no T0 parameter' unless value(args, 't0', 0) == 0
end

def totp(args)
  ROTP::TOTP.new(secret(args), digits: value(args, 'digits', 6), digest: digest(args),
                               interval: value(args, 'period', 30))
end

OPS = {
  'hotp' => lambda { |a|
    ROTP::HOTP.new(secret(a), digits: value(a, 'digits', 6), digest: digest(a)).at(value(a, 'counter'))
  },
  'totp' => lambda { |a|
    no_t0(a)
    totp(a).at(value(a, 'time'))
  },
  'verify_totp' => lambda { |a|
    no_t0(a)
    window = value(a, 'window', 1)
    past, future = window.is_a?(Array) ? window : [window, window]
    otp = totp(a)
    time = value(a, 'time')
    found = otp.verify(value(a, 'token'), drift_behind: past * otp.interval,
                                          drift_ahead: future * otp.interval, at: time)
    raise ArgumentError, 'verify returned nil' if found.nil?

    { 'offset' => (found / otp.interval) - (time.to_i / otp.interval) }
  },
  'verify_hotp' => lambda { |a|
    otp = ROTP::HOTP.new(secret(a), digits: value(a, 'digits', 6), digest: digest(a))
    counter = value(a, 'counter')
    found = otp.verify(value(a, 'token'), counter, retries: value(a, 'look_ahead', 0))
    raise ArgumentError, 'verify returned nil' if found.nil?

    { 'counter' => found, 'offset' => found - counter }
  },
  'base32_decode' => lambda { |a|
    raise Unsupported, 'one (lenient) base32 decoder' if a['strict'] == true

    ROTP::Base32.decode(value(a, 'text')).unpack1('H*')
  },
}.freeze

# A library's deliberate refusal (its own error classes, ArgumentError raised on purpose)
# versus an error the Ruby runtime raised by itself (NoMethodError on nil, TypeError...).
def kind(err)
  return 'crash' if err.is_a?(ArgumentError) && err.message =~ /wrong number of arguments|comparison of/
  return 'error' if err.is_a?(ArgumentError) || err.class.name.start_with?('ROTP')

  'crash'
end

$stdout.sync = true
$stdin.each_line do |line|
  next if line.strip.empty?

  request = JSON.parse(line)
  reply = { 'id' => request['id'] }
  begin
    case request['op']
    when 'hello' then reply['result'] = { 'name' => 'rotp', 'version' => ROTP::VERSION }
    when 'echo' then reply['result'] = request['args']
    else
      op = OPS[request['op']]
      if op.nil?
        reply['unsupported'] = "no #{request['op']} operation"
      else
        result = op.call(request['args'] || {})
        reply['result'] = result.is_a?(Integer) ? result.to_s : result
      end
    end
  rescue Unsupported => e
    reply['unsupported'] = e.message
  rescue StandardError, SystemStackError => e
    reply[kind(e)] = "#{e.class}: #{e.message}"
  end
  puts JSON.generate(reply)
end
