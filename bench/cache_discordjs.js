// cache_discordjs.js: the shape of bench/bench_cache.c fed to discord.js's
// cache, as a reference for README "The cache". Not a dependency of dbot:
// install discord.js anywhere and point NODE_PATH at it, e.g.
//
//   mkdir /tmp/djs && (cd /tmp/djs && npm install discord.js@14)
//   NODE_PATH=/tmp/djs/node_modules node --expose-gc \
//       --max-old-space-size=16384 bench/cache_discordjs.js [guilds]
//
// It builds the same JSON text per guild (a GUILD_CREATE of a large guild
// with 11 roles and 20 channels, then a GUILD_MEMBERS_CHUNK of 1,000
// members, every user in one guild), parses it as the gateway would, and
// hands it to discord.js's own dispatch handlers with the default caches
// (no login, no network). Prints one JSON line.
'use strict';

const path = require('path');
const fs = require('fs');
const { Client, GatewayIntentBits } = require('discord.js');
// The package exports only its index; the handlers sit beside it.
const src = path.dirname(require.resolve('discord.js'));
const GUILD_CREATE = require(path.join(src, 'client/websocket/handlers/GUILD_CREATE.js'));
const MEMBERS_CHUNK = require(path.join(src, 'client/websocket/handlers/GUILD_MEMBERS_CHUNK.js'));
const djsVersion = JSON.parse(fs.readFileSync(path.join(src, '../package.json'), 'utf8')).version;

const GUILDS = Number(process.argv[2] || 1000);
const MEMBERS = 1000, CHANNELS = 20, ROLES = 10;

const id = (kind, n) => String(kind) + String(n).padStart(17, '0');

function guildCreate(k) {
  const roles = [{ id: id(2, k), name: '@everyone', permissions: '1071698660929', position: 0,
    color: 0, hoist: false, managed: false, mentionable: false }];
  for (let r = 1; r <= ROLES; r++)
    roles.push({ id: id(4, k * 100 + r), name: `role ${r}`, permissions: '104324673', position: r,
      color: r * 1000, hoist: false, managed: false, mentionable: false });
  const channels = [];
  for (let j = 0; j < CHANNELS; j++)
    channels.push({ id: id(3, k * 100 + j), type: j < 15 ? 0 : 2, name: `channel-${j}`, position: j,
      parent_id: null, topic: null, nsfw: false, rate_limit_per_user: 0,
      permission_overwrites: j % 2 ? [{ id: id(2, k), type: 0, allow: '0', deny: '2048' }] : [] });
  return JSON.stringify({ id: id(2, k), name: `Guild ${k}`, icon: null, owner_id: id(5, k * MEMBERS),
    member_count: MEMBERS, large: true, unavailable: false, emojis: [], members: [], threads: [],
    voice_states: [], presences: [], roles, channels });
}

function membersChunk(k) {
  const members = [];
  for (let i = 0; i < MEMBERS; i++) {
    const u = k * MEMBERS + i, roles = [];
    for (let r = 0; r < i % 4; r++) roles.push(id(4, k * 100 + 1 + (i + r) % ROLES));
    members.push({ user: { id: id(5, u), username: `user${u}`, global_name: null,
      avatar: 'a' + String(u).padStart(31, '0'), discriminator: '0', public_flags: 0, bot: false },
      nick: i % 10 === 0 ? `nick${u}` : null, roles, joined_at: '2021-03-04T05:06:07.000000+00:00',
      deaf: false, mute: false, flags: 0, pending: false, communication_disabled_until: null });
  }
  return JSON.stringify({ guild_id: id(2, k), chunk_index: 0, chunk_count: 1, members });
}

function rssMb() {
  global.gc();
  global.gc();
  return process.memoryUsage().rss / 1048576;
}

const client = new Client({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers] });
const shard = { id: 0 };
// Parse only, to measure what the same text costs without a cache.
let t0 = process.hrtime.bigint();
for (let k = 0; k < GUILDS; k++) { JSON.parse(guildCreate(k)); JSON.parse(membersChunk(k)); }
const before = rssMb();
const heapBefore = process.memoryUsage().heapUsed / 1048576;
let apply = 0n;
for (let k = 0; k < GUILDS; k++) {
  const g = JSON.parse(guildCreate(k));
  t0 = process.hrtime.bigint();
  GUILD_CREATE(client, { d: g }, shard);
  apply += process.hrtime.bigint() - t0;
  const m = JSON.parse(membersChunk(k));
  t0 = process.hrtime.bigint();
  MEMBERS_CHUNK(client, { d: m });
  apply += process.hrtime.bigint() - t0;
}
const after = rssMb();
const heap = process.memoryUsage().heapUsed / 1048576;
// Lookups: guild by id, then member by id (discord.js Collections).
let hits = 0, seed = 12345;
const rnd = n => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
t0 = process.hrtime.bigint();
for (let i = 0; i < 1000000; i++) {
  const k = rnd(GUILDS), u = k * MEMBERS + rnd(MEMBERS);
  if (client.guilds.cache.get(id(2, k)).members.cache.get(id(5, u))) hits++;
}
const lookupNs = Number(process.hrtime.bigint() - t0) / 1e6;
const members = client.guilds.cache.reduce((n, g) => n + g.members.cache.size, 0);
console.log(JSON.stringify({
  bench: 'cache_discordjs', discordjs: djsVersion,
  node: process.version, guilds: GUILDS, members, users: client.users.cache.size,
  rss_before_mb: +before.toFixed(1), rss_after_mb: +after.toFixed(1),
  heap_before_mb: +heapBefore.toFixed(1), heap_after_mb: +heap.toFixed(1),
  bytes_per_member_rss: +((after - before) * 1048576 / members).toFixed(1),
  bytes_per_member_heap: +((heap - heapBefore) * 1048576 / members).toFixed(1),
  apply_s: +(Number(apply) / 1e9).toFixed(3), lookup_member_ns: +lookupNs.toFixed(1), hits,
}));
client.destroy();
