using System.Collections.Immutable;
using System.Text.Json.Nodes;
using IkeSharp.Engine;
using IkeSharp.Engine.Configuration;

namespace IkeSharp.Daemon.Control;

/// <summary>
/// The status document <c>ikesharp status --json</c> prints: every configured tunnel with its state
/// and its IKE SAs and Child SAs, named like <c>swanctl --list-sas</c> fields where one exists.
/// </summary>
internal static class StatusJson
{
    public static JsonArray Tunnels(ImmutableArray<TunnelConfig> tunnels, IReadOnlyList<IkeSaStatus> sas, IDatapath datapath)
    {
        var result = new JsonArray();
        foreach (var tunnel in tunnels)
        {
            var mine = sas.Where(s => s.Tunnel == tunnel.Name).ToList();
            var state = mine.Any(s => s.State == Engine.Sa.IkeSaState.Established) ? "up" : mine.Count > 0 ? "connecting" : "down";
            result.Add(new JsonObject
            {
                ["name"] = tunnel.Name,
                ["state"] = state,
                ["remote_addrs"] = string.Join(",", tunnel.RemoteAddresses),
                ["ike_sas"] = new JsonArray([.. mine.Select(sa => IkeSa(sa, datapath))]),
            });
        }

        return result;
    }

    public static JsonObject Statistics(EngineStatistics s, IDatapath datapath) => new()
    {
        ["datapath_drops"] = new JsonObject([.. datapath.Drops.Select(d => new KeyValuePair<string, JsonNode?>(d.Key, d.Value))]),
        ["dropped_undecodable"] = s.Undecodable,
        ["dropped_unknown_spi"] = s.UnknownSpi,
        ["dropped_integrity"] = s.IntegrityFailures,
        ["dropped_unexpected"] = s.UnexpectedMessages,
        ["cookies_sent"] = s.CookiesSent,
        ["dropped_half_open_limits"] = s.HalfOpenRefused,
        ["dropped_queue_full"] = s.QueueFull,
        ["retransmissions"] = s.Retransmissions,
    };

    private static long? Counter(IDatapath datapath, ChildSaStatus child, Func<ChildSaCounters, long> pick)
        => datapath.CountersFor(Convert.ToUInt32(child.InboundSpi, 16)) is { } counters ? pick(counters) : null;

    private static JsonObject IkeSa(IkeSaStatus sa, IDatapath datapath) => new()
    {
        ["state"] = sa.State.ToString().ToUpperInvariant(),
        ["initiator"] = sa.Initiator,
        ["initiator-spi"] = sa.InitiatorSpi,
        ["responder-spi"] = sa.ResponderSpi,
        ["local-host"] = sa.Local.Address.ToString(),
        ["local-port"] = sa.Local.Port,
        ["local-id"] = sa.LocalIdentity,
        ["remote-host"] = sa.Remote.Address.ToString(),
        ["remote-port"] = sa.Remote.Port,
        ["remote-id"] = sa.RemoteIdentity,
        ["proposal"] = sa.Proposal,
        ["nat-local"] = sa.NatLocal,
        ["nat-remote"] = sa.NatRemote,
        ["encap"] = sa.UdpEncapsulation,
        ["established"] = sa.EstablishedAt?.ToUnixTimeSeconds(),
        ["rekey-time"] = SecondsUntil(sa.RekeyAt),
        ["reauth-time"] = SecondsUntil(sa.ReauthAt),
        ["life-time"] = SecondsUntil(sa.ExpiresAt),
        ["child-sas"] = new JsonArray([.. sa.Children.Select(c => (JsonNode)new JsonObject
        {
            ["bytes-in"] = Counter(datapath, c, x => x.InBytes),
            ["packets-in"] = Counter(datapath, c, x => x.InPackets),
            ["bytes-out"] = Counter(datapath, c, x => x.OutBytes),
            ["packets-out"] = Counter(datapath, c, x => x.OutPackets),
            ["name"] = c.Name,
            ["reqid"] = c.ReqId,
            ["spi-in"] = c.InboundSpi,
            ["spi-out"] = c.OutboundSpi,
            ["proposal"] = c.Proposal,
            ["local-ts"] = c.LocalTrafficSelectors,
            ["remote-ts"] = c.RemoteTrafficSelectors,
            ["established"] = c.EstablishedAt.ToUnixTimeSeconds(),
            ["rekey-time"] = SecondsUntil(c.RekeyAt),
            ["life-time"] = SecondsUntil(c.ExpiresAt),
        })]),
    };

    /// <summary>swanctl's rekey-time and life-time: seconds from now (never negative); null when there is no such limit.</summary>
    private static long? SecondsUntil(DateTimeOffset? at) => at is { } t ? Math.Max(0, (long)(t - DateTimeOffset.UtcNow).TotalSeconds) : null;
}
