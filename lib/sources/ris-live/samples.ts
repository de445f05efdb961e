// Hand-written frames in the 2025–26 wire shape (PROTOCOLS.md §1.4, rrc21 2026-08-19), used by
// tests and the benchmark. The 2019 shape comes from the real captures in ../shared/fixtures.

export const RIS_2026_ANNOUNCEMENT =
  '{"type":"ris_message","data":{"timestamp":1787141896.080,"peer":"37.49.237.143","peer_asn":"50628","id":"37.49.237.143-01a019f537900000","host":"rrc21.ripe.net","type":"UPDATE","path":[50628,35280,6453,4637,16509],"community":[[6453,86],[6453,3000]],"origin":"IGP","announcements":[{"next_hop":"37.49.237.143","prefixes":["173.82.228.0/24"]}],"withdrawals":[]}}';

export const RIS_2026_WITHDRAWAL =
  '{"type":"ris_message","data":{"timestamp":1787141896.080,"peer":"2001:7f8:54::1:143","peer_asn":"50628","id":"2001:7f8:54::1:143-01a019f537900001","host":"rrc21.ripe.net","type":"UPDATE","path":[],"community":[],"announcements":[],"withdrawals":["2a01:6e00:0:0:0:0:0:0/48"]}}';

/** IPv6 announcement repeated per next hop (link-local first), non-canonical prefix text. */
export const RIS_2026_IPV6_DUAL_NEXT_HOP =
  '{"type":"ris_message","data":{"timestamp":1787141897.125,"peer":"2001:7f8:54::1:143","peer_asn":"50628","id":"2001:7f8:54::1:143-01a019f537900002","host":"rrc21.ripe.net","type":"UPDATE","path":[50628,6939,[64500,64501]],"community":[],"origin":"INCOMPLETE","med":0,"aggregator":"64500:192.0.2.1","announcements":[{"next_hop":"fe80::1","prefixes":["2605:de00:bb:0:0:0:0:0/48","2001:db8:1::/48"]},{"next_hop":"2001:7f8:54::1:143","prefixes":["2605:de00:bb:0:0:0:0:0/48","2001:db8:1::/48"]}],"withdrawals":[]}}';
