using System.Buffers;
using IkeSharp.Crypto;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Sa;

/// <summary>
/// Encodes an IKE SA's messages and protects them with the Encrypted payload SK (RFC 7296 §3.14)
/// once keys exist: IKE_SA_INIT, and anything before the keys, travels in the clear. One instance
/// per IKE SA, used only by its owner; it holds the SK_e/SK_a of both directions until disposed.
/// </summary>
internal sealed class MessageProtection : IDisposable
{
    private SkProtection? _outbound;
    private SkProtection? _inbound;

    public bool HasKeys => _inbound is not null;

    /// <summary>Turns on SK protection both ways with the keys of our role.</summary>
    public void SetKeys(IkeSaCipherSuite suite, IkeSaKeys keys, bool originalInitiator)
    {
        var (outE, outA, inE, inA) = originalInitiator ? (keys.SkEi, keys.SkAi, keys.SkEr, keys.SkAr) : (keys.SkEr, keys.SkAr, keys.SkEi, keys.SkAi);
        _outbound = SkProtection.Create(suite.Encryption, suite.KeyLengthBits, suite.Integrity, outE.Span, outA.Span);
        _inbound = SkProtection.Create(suite.Encryption, suite.KeyLengthBits, suite.Integrity, inE.Span, inA.Span);
    }

    /// <summary>The datagram for <paramref name="payloads"/> under <paramref name="header"/>, after <paramref name="markerLength"/> zero octets (the non-ESP marker on port 4500).</summary>
    public byte[] Encode(IkeHeader header, IReadOnlyList<Payload> payloads, int markerLength)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ushort.MaxValue);
        var length = 0;
        try
        {
            buffer.AsSpan(0, markerLength).Clear();
            var ike = buffer.AsSpan(markerLength);
            var writer = new IkeWriter(ike);
            writer.WriteHeader(header);
            if (header.ExchangeType == ExchangeType.IKE_SA_INIT || _outbound is null)
            {
                foreach (var payload in payloads)
                {
                    writer.WritePayload(payload);
                }

                length = writer.Finish();
            }
            else
            {
                writer.BeginEncryptedPayload(_outbound.IvSize);
                foreach (var payload in payloads)
                {
                    writer.WritePayload(payload);
                }

                var inner = writer.EncryptedInnerLength;
                var ivOffset = writer.EncryptedIvOffset;
                writer.EndEncryptedPayload(_outbound.GetBodyLength(inner) - _outbound.IvSize - inner);
                length = writer.Finish();
                _outbound.Seal(ike[..length], ivOffset, inner);
            }

            return buffer.AsSpan(0, markerLength + length).ToArray();
        }
        finally
        {
            buffer.AsSpan(0, markerLength + length).Clear(); // it held plaintext
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Verifies and decrypts a protected message; false (and counted) when it cannot be trusted.</summary>
    public bool TryDecrypt(IkeMessage outer, ReadOnlyMemory<byte> raw, EngineStatistics statistics, out IkeMessage decrypted, out string problem)
    {
        decrypted = outer;
        problem = "";
        if (outer.Exchange == ExchangeType.IKE_SA_INIT)
        {
            return true;
        }

        if (_inbound is null)
        {
            problem = $"{outer.Exchange} before keys exist";
            return false;
        }

        if (outer.Encrypted is not { } sk)
        {
            problem = outer.EncryptedFragment is not null
                ? "IKE fragmentation (SKF) was not negotiated"
                : "protected exchange without an SK payload";
            return false;
        }

        var copy = raw.ToArray();
        if (!_inbound.TryOpen(copy, sk.BodyOffset, out var inner))
        {
            statistics.CountIntegrityFailure();
            problem = "integrity check (ICV) failed";
            return false;
        }

        if (!outer.TryWithInnerPayloads(copy.AsMemory(inner), inner.Start.Value, out var withInner, out var error))
        {
            statistics.CountUndecodable();
            problem = $"decrypted payloads are malformed: {error}";
            return false;
        }

        decrypted = withInner;
        return true;
    }

    public void Dispose()
    {
        _outbound?.Dispose();
        _inbound?.Dispose();
        _outbound = null;
        _inbound = null;
    }
}
