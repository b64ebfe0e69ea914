using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Negotiation;

/// <summary>What to do with a new peer's IKE_SA_INIT request.</summary>
internal enum Admission
{
    /// <summary>Make a responder SA and answer.</summary>
    Admit,

    /// <summary>Too many half-open SAs: answer statelessly with a COOKIE (RFC 7296 §2.6).</summary>
    SendCookie,

    /// <summary>Its address, proven by a COOKIE, has <see cref="EngineOptions.BlockThreshold"/> half-open SAs so proven: dropped, unanswered.</summary>
    BlockedAddress,

    /// <summary><see cref="EngineOptions.HalfOpenLimit"/> half-open SAs in all: dropped, unanswered.</summary>
    OverLimit,
}

/// <summary>Where a half-open SA came from, and whether that address proved itself with a COOKIE.</summary>
internal sealed record HalfOpenSource(IPAddress Address, bool Proven);

/// <summary>
/// The guard in front of responder SAs, like strongSwan's <c>cookie_threshold</c>, <c>block_threshold</c>
/// and <c>init_limit_half_open</c>. It counts half-open SAs in all and per source address. Above the
/// COOKIE threshold, or above the block threshold for its address, a new peer gets a COOKIE first: one
/// whose address is spoofed never sees it, so a flood from forged addresses makes no state, and forged
/// requests in a victim's name cannot block the victim. An address that returned a valid COOKIE is
/// dropped once it has the block threshold of such proven half-open SAs. The COOKIE secret changes every
/// <see cref="EngineOptions.CookieSecretLifetime"/>; COOKIEs of the previous secret stay valid for one
/// more lifetime (§2.6: "&lt;VersionIDofSecret&gt; | Hash(Ni | IPi | SPIi | &lt;secret&gt;)").
/// Safe from any thread.
/// </summary>
internal sealed class HalfOpenAdmission(EngineContext context)
{
    private readonly Lock _rotating = new();
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private readonly ConcurrentDictionary<IPAddress, int> _provenPerAddress = new();
    private CookieSecret _current = CookieSecret.Create(0, context.Now);
    private CookieSecret? _previous;
    private int _halfOpen;

    /// <summary>Responder SAs that have not finished IKE_AUTH.</summary>
    public int Count => Volatile.Read(ref _halfOpen);

    /// <summary>Half-open SAs from <paramref name="address"/>.</summary>
    public int CountFrom(IPAddress address) => _perAddress.TryGetValue(address, out var n) ? n : 0;

    /// <summary>Half-open SAs from <paramref name="address"/> whose request carried a valid COOKIE.</summary>
    public int ProvenFrom(IPAddress address) => _provenPerAddress.TryGetValue(address, out var n) ? n : 0;

    /// <param name="source">For <see cref="Admission.Admit"/>: what to count the new SA as.</param>
    /// <param name="why">For <see cref="Admission.SendCookie"/>: which threshold asks for it.</param>
    public Admission Decide(IkeMessage request, IPEndPoint remote, out HalfOpenSource source, out string why)
    {
        var options = context.Options;
        var halfOpen = Count;
        var fromAddress = CountFrom(remote.Address);
        var proven = CookieIsValid(request, remote);
        source = new HalfOpenSource(remote.Address, proven);
        why = halfOpen >= options.CookieThreshold ? $"{halfOpen} half-open IKE SAs reached cookie_threshold {options.CookieThreshold}"
            : $"{fromAddress} half-open IKE SAs from its address reached block_threshold {options.BlockThreshold}";
        if (!proven && (halfOpen >= options.CookieThreshold || fromAddress >= options.BlockThreshold))
        {
            return Admission.SendCookie;
        }

        if (proven && ProvenFrom(remote.Address) >= options.BlockThreshold)
        {
            return Admission.BlockedAddress;
        }

        return halfOpen >= options.HalfOpenLimit ? Admission.OverLimit : Admission.Admit;
    }

    /// <summary>A responder SA from <paramref name="source"/> became half-open.</summary>
    public void Enter(HalfOpenSource source)
    {
        Interlocked.Increment(ref _halfOpen);
        _perAddress.AddOrUpdate(source.Address, 1, (_, n) => n + 1);
        if (source.Proven)
        {
            _provenPerAddress.AddOrUpdate(source.Address, 1, (_, n) => n + 1);
        }
    }

    /// <summary>A responder SA from <paramref name="source"/> is no longer half-open (authenticated, or gone).</summary>
    public void Leave(HalfOpenSource source)
    {
        Interlocked.Decrement(ref _halfOpen);
        Decrement(_perAddress, source.Address);
        if (source.Proven)
        {
            Decrement(_provenPerAddress, source.Address);
        }
    }

    private static void Decrement(ConcurrentDictionary<IPAddress, int> counts, IPAddress address)
    {
        if (counts.AddOrUpdate(address, 0, (_, n) => n - 1) <= 0)
        {
            counts.TryRemove(new KeyValuePair<IPAddress, int>(address, 0));
        }
    }

    /// <summary>The COOKIE for <paramref name="request"/> from <paramref name="remote"/>, under the current secret.</summary>
    public byte[] MakeCookie(IkeMessage request, IPEndPoint remote) => Secret().Cookie(request, remote);

    private bool CookieIsValid(IkeMessage request, IPEndPoint remote)
    {
        if (request.Payloads.FirstOrDefault() is not NotifyPayload { NotifyType: NotifyType.COOKIE } cookie || cookie.Data.Length == 0)
        {
            return false;
        }

        var current = Secret();
        var secret = cookie.Data.Span[0] == current.Version ? current : _previous is { } previous && cookie.Data.Span[0] == previous.Version ? previous : null;
        return secret is not null && CryptographicOperations.FixedTimeEquals(cookie.Data.Span, secret.Cookie(request, remote));
    }

    /// <summary>The current secret, rotated first if its lifetime is over; the one it replaces stays valid for one more lifetime.</summary>
    private CookieSecret Secret()
    {
        var now = context.Now;
        var current = Volatile.Read(ref _current);
        if (now - current.Born < context.Options.CookieSecretLifetime)
        {
            return current;
        }

        lock (_rotating)
        {
            if (now - _current.Born >= context.Options.CookieSecretLifetime)
            {
                // A secret older than two lifetimes accepts nothing: the previous one is not kept then.
                _previous = now - _current.Born < 2 * context.Options.CookieSecretLifetime ? _current : null;
                Volatile.Write(ref _current, CookieSecret.Create((byte)(_current.Version + 1), now));
            }

            return _current;
        }
    }

    private sealed record CookieSecret(byte Version, byte[] Key, DateTimeOffset Born)
    {
        public static CookieSecret Create(byte version, DateTimeOffset born) => new(version, RandomNumberGenerator.GetBytes(32), born);

        public byte[] Cookie(IkeMessage request, IPEndPoint remote)
        {
            var nonce = request.Find<NoncePayload>()!.Data.Span;
            var input = new byte[nonce.Length + 16 + 8];
            nonce.CopyTo(input);
            remote.Address.TryWriteBytes(input.AsSpan(nonce.Length), out _);
            BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(nonce.Length + 16), request.Header.InitiatorSpi);
            return [Version, .. HMACSHA256.HashData(Key, input)];
        }
    }
}
