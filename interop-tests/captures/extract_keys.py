#!/usr/bin/env python3
"""Extract IKEv2 secrets from strongSwan 5.9.8 charon logs and index a capture.

usage: extract_keys.py CASE INITIATOR.log RESPONDER.log [CASE.pcap] > keys/CASE.json

The logs must come from charon with filelog levels ike=4 enc=4 net=4 chd=4
(see capture.sh). strongSwan dumps binary values as

    12[IKE] Sk_ei secret => 32 bytes @ 0x7fafcc03bdac
    12[IKE]    0: 5C EB C6 27 85 24 98 BD BC B1 0A 71 04 D5 47 99  \\..'.$.....q..G.
    12[IKE]   16: A9 15 15 AB BF 88 8A BC 70 A2 7E C4 67 51 97 C1  ........p.~.gQ..

Lines of different worker threads (the "12" prefix) interleave, so dumps are
collected per thread. Everything extracted is re-derived here with hashlib/hmac
(SKEYSEED, SK_*, PSK AUTH, CHILD_SA KEYMAT) and compared with what strongSwan
logged, and both logs are compared with each other; any mismatch aborts.
"""
import hashlib
import hmac
import json
import re
import struct
import sys

LINE = re.compile(r'^(\d+)\[([A-Z]+)\] (.*)$')
CHUNK = re.compile(r'^(.*?) => (\d+) bytes @ (?:0x[0-9a-f]+|\(nil\))$')
HEXLINE = re.compile(r'^\s*(\d+): ((?:[0-9A-F]{2} )*[0-9A-F]{2})(?:  |$)')

EXCHANGES = {34: 'IKE_SA_INIT', 35: 'IKE_AUTH', 36: 'CREATE_CHILD_SA', 37: 'INFORMATIONAL'}
PAYLOADS = {33: 'SA', 34: 'KE', 35: 'IDi', 36: 'IDr', 37: 'CERT', 38: 'CERTREQ', 39: 'AUTH',
            40: 'Ni/Nr', 41: 'N', 42: 'D', 43: 'V', 44: 'TSi', 45: 'TSr', 46: 'SK', 47: 'CP',
            48: 'EAP', 53: 'SKF'}
NOTIFIES = {17: 'INVALID_KE_PAYLOAD', 14: 'NO_PROPOSAL_CHOSEN', 24: 'AUTHENTICATION_FAILED',
            16384: 'INITIAL_CONTACT', 16388: 'NAT_DETECTION_SOURCE_IP',
            16389: 'NAT_DETECTION_DESTINATION_IP', 16390: 'COOKIE', 16404: 'MULTIPLE_AUTH_SUPPORTED',
            16406: 'REDIRECT_SUPPORTED', 16417: 'EAP_ONLY_AUTHENTICATION',
            16418: 'CHILDLESS_IKEV2_SUPPORTED', 16430: 'IKEV2_FRAGMENTATION_SUPPORTED',
            16431: 'SIGNATURE_HASH_ALGORITHMS', 16393: 'USE_TRANSPORT_MODE',
            16396: 'MOBIKE_SUPPORTED', 16397: 'ADDITIONAL_IP4_ADDRESS', 16398: 'ADDITIONAL_IP6_ADDRESS',
            16400: 'UPDATE_SA_ADDRESSES', 16402: 'NO_NATS_ALLOWED', 16401: 'COOKIE2'}

PRF_HASH = {'PRF_HMAC_SHA1': 'sha1', 'PRF_HMAC_SHA2_256': 'sha256',
            'PRF_HMAC_SHA2_384': 'sha384', 'PRF_HMAC_SHA2_512': 'sha512'}
INTEG_KEY = {'HMAC_SHA1_96': 20, 'HMAC_SHA2_256_128': 32, 'HMAC_SHA2_384_192': 48,
             'HMAC_SHA2_512_256': 64, 'AES_XCBC_96': 16, 'HMAC_MD5_96': 16}
KEYPAD = b'Key Pad for IKEv2'


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def encr_key_len(alg):
    """(key length incl. salt, is_aead) for a strongSwan encryption algorithm name."""
    m = re.match(r'AES_(CBC|CTR|GCM_(?:8|12|16)|CCM_(?:8|12|16))_(128|192|256)$', alg)
    if m:
        n = int(m.group(2)) // 8
        mode = m.group(1)
        if mode == 'CBC':
            return n, False
        if mode == 'CTR':
            return n + 4, False
        if mode.startswith('GCM'):
            return n + 4, True
        return n + 3, True
    if alg == 'CHACHA20_POLY1305':
        return 36, True
    raise Fail('unknown encryption algorithm ' + alg)


def parse_proposal(text):
    """IKE:AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048 -> dict."""
    proto, algs = text.split(':', 1)
    parts = algs.split('/')
    out = {'protocol': proto, 'encr': parts[0], 'integ': None, 'prf': None, 'dh': None, 'esn': None}
    for p in parts[1:]:
        if p in INTEG_KEY:
            out['integ'] = p
        elif p.startswith('PRF_'):
            out['prf'] = p
        elif p.endswith('EXT_SEQ'):
            out['esn'] = p
        else:
            out['dh'] = p
    return out


def prf(hname, key, data):
    return hmac.new(key, data, hname).digest()


def prf_plus(hname, key, seed, length):
    out, t, i = b'', b'', 1
    while len(out) < length:
        t = prf(hname, key, t + seed + bytes([i]))
        out += t
        i += 1
    return out[:length]


# ------------------------------------------------------------------ logs ---
def read_log(path):
    """Returns a list of events: ('line', thread, group, text, lineno) and
    ('chunk', thread, group, label, bytes, lineno)."""
    events = []
    open_chunks = {}          # thread -> [label, expected_len, bytearray, group, lineno, idx]
    with open(path, encoding='utf-8', errors='replace') as f:
        for lineno, raw in enumerate(f, 1):
            raw = raw.rstrip('\n')
            m = LINE.match(raw)
            if not m:
                continue
            thread, group, text = m.groups()
            h = HEXLINE.match(text)
            oc = open_chunks.get(thread)
            if h and oc is not None:
                off = int(h.group(1))
                data = bytes.fromhex(h.group(2).replace(' ', ''))
                check(off == len(oc[2]), f'{path}:{lineno}: dump offset {off} != {len(oc[2])}')
                check(len(data) <= 16, f'{path}:{lineno}: dump line too long')
                oc[2].extend(data)
                continue
            if oc is not None:
                check(len(oc[2]) == oc[1], f'{path}:{oc[4]}: {oc[0]!r} has {len(oc[2])} of {oc[1]} bytes')
                events[oc[5]] = ('chunk', thread, oc[3], oc[0], bytes(oc[2]), oc[4])
                del open_chunks[thread]
            c = CHUNK.match(text)
            if c:
                events.append(None)
                open_chunks[thread] = [c.group(1), int(c.group(2)), bytearray(), group, lineno,
                                       len(events) - 1]
                if int(c.group(2)) == 0:
                    events[-1] = ('chunk', thread, group, c.group(1), b'', lineno)
                    del open_chunks[thread]
            else:
                events.append(('line', thread, group, text, lineno))
    for thread, oc in open_chunks.items():
        check(len(oc[2]) == oc[1], f'{path}:{oc[4]}: truncated dump {oc[0]!r}')
        events[oc[5]] = ('chunk', thread, oc[3], oc[0], bytes(oc[2]), oc[4])
    return [e for e in events if e is not None]


IKE_KEY_LABELS = {'SKEYSEED': 'skeyseed', 'Sk_d secret': 'sk_d', 'Sk_ai secret': 'sk_ai',
                  'Sk_ar secret': 'sk_ar', 'Sk_ei secret': 'sk_ei', 'Sk_er secret': 'sk_er',
                  'Sk_pi secret': 'sk_pi', 'Sk_pr secret': 'sk_pr'}
CHILD_KEY_LABELS = {'encryption initiator key': 'encr_i', 'encryption responder key': 'encr_r',
                    'integrity initiator key': 'integ_i', 'integrity responder key': 'integ_r',
                    'seed': 'seed', 'DH secret': 'dh_shared_secret'}
AUTH_LABELS = {"IDx'": 'idx', 'SK_p': 'sk_p',
               "octets = message + nonce + prf(Sk_px, IDx')": 'octets',
               'secret': 'psk', 'prf(secret, keypad)': 'prf_secret_keypad',
               'AUTH = prf(prf(secret, keypad), octets)': 'auth'}


def analyse_log(path, side):
    """Collect IKE key sets, AUTH computations, CHILD_SAs and SK messages of one log."""
    events = read_log(path)
    ike_sets, auths, children, messages = [], [], [], []
    cur_ike = {}          # thread -> key set in progress
    last_dh = {}          # thread -> last IKE 'shared Diffie Hellman secret'
    last_ike_prop = {}    # thread -> last selected IKE proposal
    last_esp_prop = {}    # thread -> last selected ESP proposal
    cur_auth = {}         # thread -> auth computation in progress
    cur_child = {}        # thread -> child keys in progress
    cur_msg = {}          # thread -> SK/SKF en/decryption in progress
    last_gen = {}         # thread -> last 'generating ... request/response N [...]' line
    own_psk_id = {}       # thread -> own ID announced before a PSK AUTH build
    for ev in events:
        if ev[0] == 'line':
            _, th, grp, text, ln = ev
            m = re.match(r'selected proposal: ((IKE|ESP):\S+)$', text)
            if m:
                # IKE: the responder selects in one thread and derives keys in another,
                # so the last IKE proposal selected in any thread is used
                if m.group(2) == 'IKE':
                    last_ike_prop['any'] = m.group(1)
                else:
                    last_esp_prop[th] = m.group(1)
            m = re.match(r'generating ((\S+) (request|response) (\d+) \[.*\])$', text)
            if m:
                last_gen[th] = m.group(1)
            m = re.match(r'encrypted (fragment )?payload (encryption|decryption):$', text)
            if m:
                cur_msg[th] = {'fragment': bool(m.group(1)),
                               'logged_by': side,
                               'operation': m.group(2),
                               'description': last_gen.get(th) if m.group(2) == 'encryption' else None,
                               'log_line': ln}
                messages.append(cur_msg[th])
            m = re.match(r'parsed ((\S+) (request|response) (\d+) \[.*\])$', text)
            if m and th in cur_msg and cur_msg[th]['operation'] == 'decryption' \
                    and cur_msg[th]['description'] is None:
                cur_msg[th]['description'] = m.group(1)
                del cur_msg[th]
            m = re.match(r"authentication of '(.*)' (\(myself\) )?with (.*?)(?: successful)?$", text)
            if m and th in cur_auth and 'octets' in cur_auth[th]:
                a = cur_auth.pop(th)
                a['id'] = m.group(1)
                a['method'] = m.group(3)
                a['computed_by'] = side
                a['operation'] = 'build' if m.group(2) else 'verify'
                auths.append(a)
            elif m and m.group(2) and m.group(3) == 'pre-shared key':
                # "authentication of 'x' (myself) with pre-shared key" precedes the dumps
                own_psk_id[th] = m.group(1)
            if text == 'successfully created shared key MAC' and th in cur_auth:
                a = cur_auth.pop(th)
                a['computed_by'] = side
                a['operation'] = 'build'
                a['method'] = 'pre-shared key'
                a['id'] = own_psk_id.pop(th, None)
                auths.append(a)
            m = re.match(r'CHILD_SA (\S+)\{(\d+)\} established with SPIs ([0-9a-f]{8})_i ([0-9a-f]{8})_o'
                         r' and TS (.*)$', text)
            if m and th in cur_child:
                c = cur_child.pop(th)
                c.update({'name': m.group(1), 'unique_id': int(m.group(2)),
                          'spi_in': m.group(3), 'spi_out': m.group(4), 'ts': m.group(5),
                          'proposal': last_esp_prop.get(th)})
                children.append(c)
            continue
        _, th, grp, label, data, ln = ev
        if grp == 'IKE' and label == 'shared Diffie Hellman secret':
            last_dh[th] = data
        elif grp == 'IKE' and label in IKE_KEY_LABELS:
            key = IKE_KEY_LABELS[label]
            if key == 'skeyseed':
                cur_ike[th] = {'proposal': last_ike_prop.get('any'), 'dh_shared_secret': last_dh.get(th),
                               'log_line': ln}
                ike_sets.append(cur_ike[th])
            check(th in cur_ike, f'{path}:{ln}: {label} without SKEYSEED')
            cur_ike[th][key] = data
        elif grp == 'IKE' and label in AUTH_LABELS:
            key = AUTH_LABELS[label]
            if key == 'idx':
                cur_auth[th] = {}
            if th in cur_auth:
                cur_auth[th][key] = data
        elif grp == 'CHD' and label in CHILD_KEY_LABELS:
            key = CHILD_KEY_LABELS[label]
            if key in ('seed', 'dh_shared_secret') and (th not in cur_child or 'encr_i' in cur_child[th]):
                cur_child[th] = {}
            cur_child[th][key] = data
        elif grp == 'ENC' and th in cur_msg and label in ('IV', 'plain', 'padding', 'assoc',
                                                           'encrypted', 'ICV'):
            cur_msg[th][label] = data
            if label == 'ICV' and cur_msg[th]['operation'] == 'encryption':
                del cur_msg[th]
    return {'ike': ike_sets, 'auth': auths, 'children': children, 'messages': messages}


# ------------------------------------------------------------------ pcap ---
def read_pcap(path):
    frames = []
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack('<I', data[:4])[0]
    check(magic in (0xa1b2c3d4, 0xa1b23c4d), 'unexpected pcap magic')
    nsec = magic == 0xa1b23c4d
    linktype = struct.unpack('<I', data[20:24])[0]
    check(linktype == 1, f'unexpected link type {linktype}')
    off, t0 = 24, None
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack('<IIII', data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        ts = sec + frac / (1e9 if nsec else 1e6)
        t0 = ts if t0 is None else t0
        eth = struct.unpack('!H', pkt[12:14])[0]
        if eth == 0x0800:
            ihl = (pkt[14] & 0x0f) * 4
            proto = pkt[14 + 9]
            src = '.'.join(str(b) for b in pkt[14 + 12:14 + 16])
            dst = '.'.join(str(b) for b in pkt[14 + 16:14 + 20])
            l4 = pkt[14 + ihl:]
        elif eth == 0x86dd:
            proto = pkt[14 + 6]
            import ipaddress
            src = str(ipaddress.IPv6Address(pkt[14 + 8:14 + 24]))
            dst = str(ipaddress.IPv6Address(pkt[14 + 24:14 + 40]))
            l4 = pkt[14 + 40:]
        else:
            continue
        if proto != 17:
            continue
        sport, dport, ulen = struct.unpack('!HHH', l4[:6])
        if eth == 0x0800:
            pseudo = pkt[14 + 12:14 + 20] + struct.pack('!BBH', 0, 17, ulen)
        else:
            pseudo = pkt[14 + 8:14 + 40] + struct.pack('!IxxxB', ulen, 17)
        check(inet_checksum(pseudo + l4[:ulen]) in (0, 0xffff) or l4[6:8] == b'\0\0',
              f'frame {len(frames) + 1}: bad UDP checksum')
        payload = l4[8:ulen]
        fr = {'frame': len(frames) + 1, 'time': round(ts - t0, 6),
              'src': f'{src}:{sport}' if ':' not in src else f'[{src}]:{sport}',
              'dst': f'{dst}:{dport}' if ':' not in dst else f'[{dst}]:{dport}',
              'udp_payload_len': len(payload)}
        ike = None
        if sport == 500 or dport == 500:
            ike = payload
            fr['kind'] = 'ike'
        elif len(payload) == 1 and payload[0] == 0xff:
            fr['kind'] = 'nat-keepalive'
        elif payload[:4] == b'\0\0\0\0':
            fr['kind'] = 'ike'
            fr['non_esp_marker'] = True
            ike = payload[4:]
        else:
            fr['kind'] = 'esp'
            fr['esp_spi'] = payload[:4].hex()
            fr['esp_seq'] = struct.unpack('!I', payload[4:8])[0]
        if ike is not None:
            fr.update(parse_ike(ike))
            fr['_ike'] = ike
        frames.append(fr)
    return frames


def inet_checksum(data):
    if len(data) % 2:
        data += b'\0'
    total = sum(struct.unpack(f'!{len(data) // 2}H', data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return total


def parse_ike_header(msg):
    spi_i, spi_r, np, ver, exch, flags, mid, length = struct.unpack('!8s8sBBBBII', msg[:28])
    return {'spi_i': spi_i.hex(), 'spi_r': spi_r.hex(),
            'exchange': EXCHANGES.get(exch, str(exch)),
            'message_id': mid,
            'flags': ('I' if flags & 0x08 else '') + ('R' if flags & 0x20 else ''),
            'is_response': bool(flags & 0x20), 'ike_length': length}, np


def parse_ike(msg):
    out, np = parse_ike_header(msg)
    out['payloads'] = []
    check(out['ike_length'] == len(msg), 'IKE length field mismatch')
    off = 28
    while np and off < len(msg):
        nxt, crit, plen = struct.unpack('!BBH', msg[off:off + 4])
        body = msg[off + 4:off + plen]
        name = PAYLOADS.get(np, str(np))
        if np == 41:
            ntype = struct.unpack('!H', body[2:4])[0]
            name = f'N({NOTIFIES.get(ntype, ntype)})'
        elif np == 40:
            out['nonce'] = body.hex()
        elif np == 34:
            out['ke_group'] = struct.unpack('!H', body[:2])[0]
        elif np == 53:
            fnum, ftot = struct.unpack('!HH', body[:4])
            name = f'SKF({fnum}/{ftot})'
        out['payloads'].append(name)
        if np in (46, 53):
            break           # everything after is encrypted
        np = nxt
        off += plen
    return out


# --------------------------------------------------------------- assemble ---
def hx(b):
    return None if b is None else b.hex()


def main():
    case, log_i, log_r = sys.argv[1:4]
    pcap = sys.argv[4] if len(sys.argv) > 4 else None
    ini = analyse_log(log_i, 'initiator')
    res = analyse_log(log_r, 'responder')
    frames = read_pcap(pcap) if pcap else []

    result = {'case': case, 'strongswan': '5.9.8',
              'source_logs': [log_i.split('/')[-1], log_r.split('/')[-1]],
              'notes': [
                  'hex strings are the values strongSwan dumped (DBG4 %B); checks below were recomputed '
                  'with Python hashlib/hmac from these values',
                  'sk_ei/sk_er and CHILD encryption keys of AEAD/CTR algorithms include the salt '
                  '(GCM: 4 octets appended to the key); AEAD IKE SAs have no SK_a* (empty string)',
                  'child_sas[*].*_i_to_r / *_r_to_i: strongSwan "initiator"/"responder" keys refer to the '
                  'initiator of the exchange that created the CHILD_SA, which is the IKE initiator '
                  '(192.0.2.1 / 2001:db8::1) in every case here',
              ]}
    check(ini['ike'], 'no IKE key derivation in initiator log')
    ike_sas = []
    for k in ini['ike']:
        prop = parse_proposal(k['proposal'])
        hname = PRF_HASH[prop['prf']]
        # AUTH octets of both sides contain the IKE_SA_INIT messages and the nonces
        own = [a for a in ini['auth'] if a.get('octets')]
        check(len(ini['ike']) == 1 and len(own) == 2,
              'expected exactly one IKE_SA with one AUTH per side in the initiator log')
        sa = {'proposal': k['proposal']}
        auth_i = auth_r = None
        for a in own:
            oct_ = a['octets']
            mlen = struct.unpack('!I', oct_[24:28])[0]
            is_resp = bool(oct_[19] & 0x20)
            nonce = oct_[mlen:len(oct_) - len(a['sk_p'])]
            mac = oct_[len(oct_) - len(a['sk_p']):]
            check(mac == prf(hname, a['sk_p'], a['idx']), 'prf(SK_p, IDx\') mismatch in octets')
            if is_resp:
                auth_r, sa['ni'] = a, nonce
                sa['spi_i'], sa['spi_r'] = oct_[0:8].hex(), oct_[8:16].hex()
                sa['ike_sa_init_response'] = oct_[:mlen]
            else:
                auth_i, sa['nr'] = a, nonce
                sa['ike_sa_init_request'] = oct_[:mlen]
        check(auth_i and auth_r, 'AUTH octets for both directions not found in initiator log')
        ni, nr = sa['ni'], sa['nr']
        spi_i, spi_r = bytes.fromhex(sa['spi_i']), bytes.fromhex(sa['spi_r'])
        # recompute the key schedule (RFC 7296 2.14)
        skeyseed = prf(hname, ni + nr, k['dh_shared_secret'])
        check(skeyseed == k['skeyseed'], 'SKEYSEED recomputation mismatch')
        prf_len = hashlib.new(hname).digest_size
        ekey, aead = encr_key_len(prop['encr'])
        akey = 0 if aead else INTEG_KEY[prop['integ']]
        sizes = [('sk_d', prf_len), ('sk_ai', akey), ('sk_ar', akey), ('sk_ei', ekey),
                 ('sk_er', ekey), ('sk_pi', prf_len), ('sk_pr', prf_len)]
        stream = prf_plus(hname, skeyseed, ni + nr + spi_i + spi_r, sum(s for _, s in sizes))
        pos = 0
        for name, size in sizes:
            logged = k.get(name, b'')
            check(len(logged) == size, f'{name}: logged {len(logged)} bytes, expected {size}')
            check(stream[pos:pos + size] == logged, f'{name} recomputation mismatch')
            pos += size
        out = {'spi_i': sa['spi_i'], 'spi_r': sa['spi_r'], 'ni': ni.hex(), 'nr': nr.hex(),
               'proposal': k['proposal'], 'prf': prop['prf'], 'dh_group': prop['dh'],
               'dh_shared_secret': hx(k['dh_shared_secret']), 'skeyseed': hx(k['skeyseed'])}
        for name, _ in sizes:
            out[name] = k.get(name, b'').hex()
        out['ike_sa_init_request'] = sa['ike_sa_init_request'].hex()
        out['ike_sa_init_response'] = sa['ike_sa_init_response'].hex()
        # AUTH payload inputs (RFC 7296 2.15)
        for role, a, nonce, skp in (('initiator', auth_i, nr, out['sk_pi']),
                                    ('responder', auth_r, ni, out['sk_pr'])):
            check(a['sk_p'].hex() == skp, f'{role} AUTH uses unexpected SK_p')
            entry = {'id': a.get('id'), 'method': a.get('method'),
                     'id_payload_body': a['idx'].hex(),
                     'prf_sk_p_id': prf(hname, a['sk_p'], a['idx']).hex(),
                     'octets': a['octets'].hex()}
            if 'auth' in a:
                check(prf(hname, a['psk'], KEYPAD) == a['prf_secret_keypad'], 'prf(secret, keypad) mismatch')
                check(prf(hname, a['prf_secret_keypad'], a['octets']) == a['auth'], 'PSK AUTH mismatch')
                entry.update({'psk': a['psk'].decode(), 'prf_secret_keypad': a['prf_secret_keypad'].hex(),
                              'auth': a['auth'].hex()})
            out[f'{role}_auth'] = entry
        # CHILD_SAs of this IKE_SA (all children in the initiator log)
        childs = []
        for c in ini['children']:
            cp = parse_proposal(c['proposal'])
            ek, caead = encr_key_len(cp['encr'])
            ik = 0 if caead else INTEG_KEY[cp['integ']]
            check(len(c.get('encr_i', b'')) == ek and len(c.get('encr_r', b'')) == ek,
                  f'child {c["name"]}: encryption key length')
            check(len(c.get('integ_i', b'')) == ik and len(c.get('integ_r', b'')) == ik,
                  f'child {c["name"]}: integrity key length')
            keymat = prf_plus(hname, k['sk_d'], c['seed'], 2 * (ek + ik))
            check(keymat == c['encr_i'] + c.get('integ_i', b'') + c['encr_r'] + c.get('integ_r', b''),
                  f'child {c["name"]}: KEYMAT recomputation mismatch')
            seed_tail = c['seed'][len(c.get('dh_shared_secret', b'')):]
            entry = {'name': c['name'], 'proposal': c['proposal'], 'ts': c['ts'],
                     'spi_i_to_r': c['spi_out'], 'spi_r_to_i': c['spi_in'],
                     'encr_key_i_to_r': c['encr_i'].hex(), 'encr_key_r_to_i': c['encr_r'].hex(),
                     'integ_key_i_to_r': c.get('integ_i', b'').hex(),
                     'integ_key_r_to_i': c.get('integ_r', b'').hex(),
                     'keymat_seed': c['seed'].hex(),
                     'created_by': 'IKE_AUTH' if seed_tail == ni + nr else 'CREATE_CHILD_SA'}
            if 'dh_shared_secret' in c:
                entry['pfs_dh_shared_secret'] = c['dh_shared_secret'].hex()
            childs.append(entry)
        out['child_sas'] = childs
        ike_sas.append(out)

    # cross-check against the responder's log
    checks = []
    for out in ike_sas:
        match = [k for k in res['ike'] if k['skeyseed'].hex() == out['skeyseed']]
        check(len(match) == 1, 'responder log has no key set with the same SKEYSEED')
        k = match[0]
        for name in ('sk_d', 'sk_ai', 'sk_ar', 'sk_ei', 'sk_er', 'sk_pi', 'sk_pr'):
            check(k.get(name, b'').hex() == out[name], f'responder {name} differs')
        check(k['dh_shared_secret'].hex() == out['dh_shared_secret'], 'responder DH secret differs')
        check(k['proposal'] == out['proposal'], 'responder proposal differs')
        for role in ('initiator', 'responder'):
            ra = [a for a in res['auth'] if a['octets'].hex() == out[f'{role}_auth']['octets']]
            check(ra, f'responder log lacks the {role} AUTH octets')
            if 'auth' in out[f'{role}_auth']:
                check(ra[0]['auth'].hex() == out[f'{role}_auth']['auth'], f'{role} AUTH differs')
        for c in out['child_sas']:
            rc = [x for x in res['children'] if x['name'] == c['name'] and x['spi_in'] == c['spi_i_to_r']]
            check(len(rc) == 1, f'responder lacks child {c["name"]}')
            rc = rc[0]
            check(rc['spi_out'] == c['spi_r_to_i'], 'child SPI mismatch')
            check(rc['encr_i'].hex() == c['encr_key_i_to_r'] and rc['encr_r'].hex() == c['encr_key_r_to_i'],
                  'child encryption keys differ')
            check(rc.get('integ_i', b'').hex() == c['integ_key_i_to_r'], 'child integrity keys differ')
        checks.append('initiator and responder logs agree on DH secret, SKEYSEED, SK_*, AUTH and CHILD_SA keys')
    checks.append('SKEYSEED, SK_* (prf+), prf(SK_p, IDx\'), PSK AUTH and CHILD_SA KEYMAT recomputed from the '
                  'logged inputs and equal to the logged values; key lengths match the negotiated algorithms')

    # index the capture and link the SK/SKF dumps to frames
    if frames:
        init_msgs = [f for f in frames if f.get('exchange') == 'IKE_SA_INIT']
        for out in ike_sas:
            req = [f for f in init_msgs if f['_ike'].hex() == out['ike_sa_init_request']]
            rsp = [f for f in init_msgs if f['_ike'].hex() == out['ike_sa_init_response']]
            check(req and rsp, 'IKE_SA_INIT messages of the AUTH octets not found in the pcap')
            check(req[0].get('nonce') == out['ni'] and rsp[0].get('nonce') == out['nr'],
                  'nonces in pcap differ from AUTH octets')
            out['ike_sa_init_request_frame'] = req[0]['frame']
            out['ike_sa_init_response_frame'] = rsp[0]['frame']
            for c in out['child_sas']:
                esp = [f['frame'] for f in frames if f.get('esp_spi') in (c['spi_i_to_r'], c['spi_r_to_i'])]
                c['esp_frames'] = esp
        checks.append('IKE_SA_INIT messages inside the AUTH octets are byte-identical to pcap frames; '
                      'nonces match; all UDP checksums in the pcap are valid')
    sk_msgs = []
    for m in ini['messages'] + res['messages']:
        if m['operation'] != 'encryption':
            continue          # each message is listed once, as encrypted by its sender
        aad = m.get('assoc', b'')
        e = {'logged_by': m['logged_by'], 'description': m['description'],
             'fragment': m['fragment'], 'aad': aad.hex(), 'iv': hx(m.get('IV')),
             'plaintext': hx(m.get('plain')), 'padding_and_pad_length': hx(m.get('padding')),
             'ciphertext': hx(m.get('encrypted')), 'icv': hx(m.get('ICV'))}
        if len(aad) >= 28:
            h, _ = parse_ike_header(aad)
            e['exchange'], e['message_id'], e['flags'] = h['exchange'], h['message_id'], h['flags']
        match = [f['frame'] for f in frames if '_ike' in f and f['_ike'].startswith(aad)
                 and f['_ike'].endswith(m.get('ICV', b''))
                 and (m.get('IV') is None or m['IV'] in f['_ike'])]
        if frames:
            check(len(match) >= 1, f'no pcap frame for SK message {m["description"]}')
            e['frame'] = match[0]
        sk_msgs.append(e)
    sk_msgs.sort(key=lambda e: e.get('frame', 0))
    if frames:
        checks.append('every SK/SKF message encrypted by either side is linked to its pcap frame (aad prefix, '
                      'IV and ICV found in the frame)')
    result['ike_sas'] = ike_sas
    result['sk_messages'] = sk_msgs
    for f in frames:
        f.pop('_ike', None)
    result['frames'] = frames
    result['summary'] = summarize(frames)
    result['checks'] = checks
    print(json.dumps(result, indent=1))


def summarize(frames):
    s = {'frames': len(frames),
         'udp500': sum(1 for f in frames if f['src'].endswith(':500') or f['dst'].endswith(':500')),
         'udp4500_ike': sum(1 for f in frames if f.get('non_esp_marker')),
         'udp4500_esp': sum(1 for f in frames if f['kind'] == 'esp'),
         'nat_keepalive': sum(1 for f in frames if f['kind'] == 'nat-keepalive'),
         'exchanges': {}}
    for f in frames:
        if f['kind'] != 'ike':
            continue
        k = f"{f['exchange']} {'response' if f['is_response'] else 'request'}"
        s['exchanges'][k] = s['exchanges'].get(k, 0) + 1
    pl = [p for f in frames for p in f.get('payloads', [])]
    s['skf_fragments'] = sum(1 for p in pl if p.startswith('SKF'))
    s['cookie_notifies'] = sum(1 for p in pl if p == 'N(COOKIE)')
    s['invalid_ke_notifies'] = sum(1 for p in pl if p == 'N(INVALID_KE_PAYLOAD)')
    return s


if __name__ == '__main__':
    try:
        main()
    except Fail as e:
        print(f'extract_keys.py: {e}', file=sys.stderr)
        sys.exit(1)
