//! The two Lua scripts of the shared cache: each operation is one round trip and atomic.
//!
//! Invalidation by tag uses epochs: a tag's key holds a random nonce (its epoch), created by the
//! first store that names the tag. A store records the epochs of the entry's tags beside its
//! value; a read returns the value only if every tag still has the recorded epoch.
//! Invalidating a tag deletes its key (one `DEL`, no scan), so every entry stored before is
//! stale, and the next store creates a new epoch. A tag key that is missing for any reason
//! (invalidated, expired, evicted under memory pressure, Redis restarted) makes its entries
//! stale, never valid: the failure mode is a miss.
//!
//! A tag key's TTL is reset to the longest entry TTL on every store naming it, so it outlives
//! every entry that recorded its epoch.

/// `KEYS[1]` the entry. Returns `{value, remaining ms}` or nil. Reads only.
pub(crate) const GET: &str = r"
local h = redis.call('HMGET', KEYS[1], 'v', 't', 'e')
if not h[1] then return false end
local tags, epochs = {}, {}
for w in string.gmatch(h[2] or '', '%S+') do tags[#tags + 1] = w end
for w in string.gmatch(h[3] or '', '%S+') do epochs[#epochs + 1] = w end
if #tags == 0 or #tags ~= #epochs then return false end
local now = redis.call('MGET', unpack(tags))
for i = 1, #tags do
  if now[i] ~= epochs[i] then return false end
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl <= 0 then return false end
return {h[1], ttl}
";

/// `KEYS[1]` the entry, `KEYS[2..]` its tags (the "everything" tag included);
/// `ARGV[1]` the value, `ARGV[2]` its TTL in ms, `ARGV[3]` a fresh epoch for tags that have
/// none, `ARGV[4]` the TTL of tag keys in ms.
pub(crate) const PUT: &str = r"
local tags, epochs = {}, {}
for i = 2, #KEYS do
  redis.call('SET', KEYS[i], ARGV[3], 'NX')
  redis.call('PEXPIRE', KEYS[i], ARGV[4])
  tags[#tags + 1] = KEYS[i]
  epochs[#epochs + 1] = redis.call('GET', KEYS[i])
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', ARGV[1], 't', table.concat(tags, ' '), 'e', table.concat(epochs, ' '))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
";
