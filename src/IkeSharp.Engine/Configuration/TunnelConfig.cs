using System.Collections.Immutable;
using System.Net;
using IkeSharp.Crypto;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Configuration;

/// <summary>What to do with a tunnel when the daemon starts (strongSwan <c>start_action</c>).</summary>
public enum StartAction
{
    /// <summary>Respond only (strongSwan <c>none</c>, Openswan <c>auto=add</c>).</summary>
    None,
    /// <summary>Initiate at startup and keep trying (<c>auto=start</c>).</summary>
    Start,
    /// <summary>Install policies and initiate on the first matching packet (<c>auto=route</c>).</summary>
    Trap,
}

/// <summary>What to do when DPD declares the peer dead (strongSwan <c>dpd_action</c>).</summary>
public enum DpdAction
{
    Clear,
    Restart,
    Trap,
}

/// <summary>
/// What to do when the peer closes a Child SA, or the IKE SA with it, outside a rekey (strongSwan
/// <c>close_action</c>): nothing, create it again, or trap its traffic so the next packet does.
/// </summary>
public enum CloseAction
{
    None,
    Start,
    Trap,
}

/// <summary>How this side or the peer authenticates.</summary>
public enum AuthKind
{
    Psk,
    PublicKey,
}

/// <summary>Retransmission schedule; the defaults are strongSwan's (timeout × base^n, 5 tries).</summary>
public sealed record RetransmitPolicy(TimeSpan Timeout, double Base, int Tries)
{
    public static RetransmitPolicy Default { get; } = new(TimeSpan.FromSeconds(4), 1.8, 5);

    /// <summary>Delay before retransmission <paramref name="attempt"/> (0 = wait after the first send).</summary>
    public TimeSpan Delay(int attempt) => TimeSpan.FromMilliseconds(Timeout.TotalMilliseconds * Math.Pow(Base, attempt));
}

/// <summary>One Child SA to negotiate within a tunnel: its selectors and ESP proposals.</summary>
public sealed record ChildConfig(
    string Name,
    ImmutableArray<TrafficSelector> LocalTrafficSelectors,
    ImmutableArray<TrafficSelector> RemoteTrafficSelectors,
    ImmutableArray<ProposalSpec> EspProposals)
{
    /// <summary>Limits of each Child SA in the datapath (strongSwan's rekey_/life_ time, bytes, packets).</summary>
    public ChildLifetime Lifetime { get; init; }
}

/// <summary>
/// Soft ("rekey") and hard ("life") limits of a Child SA; zero means none. The datapath reports the
/// soft limit so the SA can be rekeyed, and removes the SA at the hard one. Each SA's soft time is
/// <see cref="RekeyTime"/> less a random part of <see cref="RandTime"/>, so two peers with the same
/// settings seldom rekey at once (strongSwan's rand_time).
/// </summary>
public readonly record struct ChildLifetime(
    TimeSpan RekeyTime = default,
    TimeSpan LifeTime = default,
    ulong RekeyBytes = 0,
    ulong LifeBytes = 0,
    ulong RekeyPackets = 0,
    ulong LifePackets = 0,
    TimeSpan RandTime = default)
{
    /// <summary>strongSwan's defaults: rekey after 1 h, hard limit 10 % later, rand_time the difference.</summary>
    public static ChildLifetime Default { get; } = new(TimeSpan.FromHours(1), TimeSpan.FromMinutes(66), RandTime: TimeSpan.FromMinutes(6));

    /// <summary>Without ESN, packets after which an SA is rekeyed however configured: 2^24 before its 32-bit counter runs out.</summary>
    public const ulong SequenceRekeyPackets = 0xFF00_0000;

    /// <summary>
    /// The limits for one SA: the soft time less a random part of <see cref="RandTime"/>; without
    /// extended sequence numbers the 32-bit counter must not cycle (RFC 4303 §3.3.3), so the SA is
    /// rekeyed well before and dropped at its last number, in either datapath, never silently stuck.
    /// </summary>
    public ChildLifetime ForOneSa(bool extendedSequenceNumbers)
    {
        var sa = this with { RekeyTime = Randomized(RekeyTime, RandTime) };
        return extendedSequenceNumbers ? sa : sa with
        {
            // A life_packets below the cap ends the SA before its counter nears the end: no soft limit is added below it.
            RekeyPackets = RekeyPackets == 0 && LifePackets is > 0 and <= SequenceRekeyPackets ? 0
                : RekeyPackets is 0 or > SequenceRekeyPackets ? SequenceRekeyPackets : RekeyPackets,
            LifePackets = LifePackets is 0 or > uint.MaxValue ? uint.MaxValue : LifePackets,
        };
    }

    /// <summary><paramref name="time"/> less a random part of <paramref name="rand"/>, but never below half of it.</summary>
    internal static TimeSpan Randomized(TimeSpan time, TimeSpan rand)
        => time > TimeSpan.Zero && rand > TimeSpan.Zero ? time - TimeSpan.FromTicks(Random.Shared.NextInt64(Math.Min(rand.Ticks, time.Ticks / 2) + 1)) : time;
}

/// <summary>
/// Limits of an IKE SA, as strongSwan names them: it is rekeyed (§2.18) after <see cref="RekeyTime"/>
/// less a random part of <see cref="RandTime"/>, reauthenticated after <see cref="ReauthTime"/> (zero:
/// never), and deleted <see cref="OverTime"/> after the first of the two if that did not replace it.
/// </summary>
public readonly record struct IkeLifetime(TimeSpan RekeyTime, TimeSpan ReauthTime, TimeSpan OverTime, TimeSpan RandTime)
{
    /// <summary>strongSwan's defaults: rekey every 4 h, no reauthentication, over_time and rand_time 10 % of that.</summary>
    public static IkeLifetime Default { get; } = Defaults(TimeSpan.FromHours(4), TimeSpan.Zero);

    /// <summary>The limits with strongSwan's defaults for what is not given: over_time 10 % of the larger of rekey and reauth time, rand_time over_time.</summary>
    public static IkeLifetime Defaults(TimeSpan rekey, TimeSpan reauth, TimeSpan? over = null, TimeSpan? rand = null)
    {
        var overTime = over ?? (rekey > reauth ? rekey : reauth) / 10;
        return new IkeLifetime(rekey, reauth, overTime, rand ?? overTime);
    }
}

/// <summary>Authentication settings of one side; secrets and keys are loaded by the daemon.</summary>
public sealed record AuthConfig(AuthKind Kind, ReadOnlyMemory<byte> PreSharedKey = default)
{
    public static AuthConfig Psk(ReadOnlyMemory<byte> secret) => new(AuthKind.Psk, secret);

    /// <summary>For the local side: the private key that signs AUTH.</summary>
    public System.Security.Cryptography.AsymmetricAlgorithm? PrivateKey { get; init; }

    /// <summary>For the local side: our X.509 certificate, sent in a CERT payload (its key is <see cref="PrivateKey"/>).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; init; }

    /// <summary>For the remote side: CA certificates the peer's certificate must chain to (strongSwan <c>cacerts</c>).</summary>
    public ImmutableArray<System.Security.Cryptography.X509Certificates.X509Certificate2> TrustAnchors { get; init; } = [];

    /// <summary>For the remote side: CRLs (<c>remote_crl</c>) checked for every certificate of the chain below the anchor.</summary>
    public ImmutableArray<RevocationList> RevocationLists { get; init; } = [];

    /// <summary>For the remote side: raw public keys trusted for this peer (strongSwan <c>rightrsasigkey</c>).</summary>
    public ImmutableArray<System.Security.Cryptography.AsymmetricAlgorithm> TrustedPublicKeys { get; init; } = [];

    public override string ToString() => Kind == AuthKind.Psk ? "psk" : Certificate is not null || !TrustAnchors.IsEmpty ? "X.509 certificate" : "pubkey";
}

/// <summary>
/// One configured tunnel (strongSwan's connection): peer, identities, authentication, proposals,
/// children and timers. Immutable; a reload produces new instances.
/// </summary>
public sealed record TunnelConfig
{
    public required string Name { get; init; }

    /// <summary>Our address for this tunnel; null lets the daemon's listening address decide.</summary>
    public IPAddress? LocalAddress { get; init; }

    /// <summary>The peer's addresses; empty accepts any peer (responder only).</summary>
    public ImmutableArray<IPAddress> RemoteAddresses { get; init; } = [];

    public int RemotePort { get; init; } = UdpEncapsulation.IkePort;

    public required Identity LocalIdentity { get; init; }

    /// <summary>The identity the peer must prove; null accepts whatever it authenticates as.</summary>
    public Identity? RemoteIdentity { get; init; }

    public required AuthConfig LocalAuth { get; init; }

    public required AuthConfig RemoteAuth { get; init; }

    public required ImmutableArray<ProposalSpec> IkeProposals { get; init; }

    public required ImmutableArray<ChildConfig> Children { get; init; }

    public StartAction StartAction { get; init; } = StartAction.None;

    /// <summary>What the peer closing a Child SA or the IKE SA leads to; null follows <see cref="StartAction"/> (start: start, trap: trap).</summary>
    public CloseAction? CloseAction { get; init; }

    /// <summary>The close action in force: the configured one, or the one following the start action.</summary>
    public CloseAction EffectiveCloseAction => CloseAction ?? StartAction switch
    {
        StartAction.Start => Configuration.CloseAction.Start,
        StartAction.Trap => Configuration.CloseAction.Trap,
        _ => Configuration.CloseAction.None,
    };

    /// <summary>
    /// Reauthentication (<see cref="IkeLifetime.ReauthTime"/>) makes the new IKE SA and its Child SAs
    /// before deleting the old one (strongSwan 6's default), so no packet waits; false deletes first
    /// (strongSwan 5's default), for peers that refuse a second IKE SA with the same identities.
    /// </summary>
    public bool MakeBeforeBreak { get; init; } = true;

    /// <summary>How many times to try establishing before giving up; 0 means forever (<c>%forever</c>).</summary>
    public int KeyingTries { get; init; } = 1;

    /// <summary>Send a liveness check after this long without hearing from the peer; zero disables DPD.</summary>
    public TimeSpan DpdDelay { get; init; } = TimeSpan.FromSeconds(30);

    public DpdAction DpdAction { get; init; } = DpdAction.Clear;

    /// <summary>Pretend to be behind a NAT so ESP is always UDP-encapsulated (strongSwan <c>encap=yes</c>).</summary>
    public bool ForceEncapsulation { get; init; }

    public RetransmitPolicy Retransmit { get; init; } = RetransmitPolicy.Default;

    /// <summary>Interval of NAT-keepalives when we are behind a NAT (RFC 3948 §2.3).</summary>
    public TimeSpan NatKeepalive { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>When the IKE SA is rekeyed, reauthenticated and given up (strongSwan's connection-level rekey_time and friends).</summary>
    public IkeLifetime IkeLifetime { get; init; } = IkeLifetime.Default;

    /// <summary>Allow MODP 768/1024/1536 (RFC 8247 deprecates them; third-party gear still asks).</summary>
    public bool AllowLegacyGroups { get; init; }

    /// <summary>Child SAs one IKE SA may carry; a further one the peer asks for is refused with NO_ADDITIONAL_SAS (rekeys replace, they do not count).</summary>
    public int MaxChildSas { get; init; } = 64;

    /// <summary>Traffic selectors a Child SA may have on each side after narrowing; more are refused with TS_UNACCEPTABLE (each becomes kernel policies).</summary>
    public int MaxTrafficSelectors { get; init; } = 16;
}
