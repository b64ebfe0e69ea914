using System.Buffers;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace IkeSharp.Protocol;

/// <summary>
/// A decoded IKEv2 message: header, the payloads outside encryption, and (once the crypto layer
/// has decrypted the SK payload) the payloads inside it. Immutable; payload data are slices of the
/// datagram it was decoded from, so keep that buffer alive as long as the message.
/// </summary>
public sealed record IkeMessage(IkeHeader Header, ImmutableArray<Payload> Payloads)
{
    /// <summary>Payloads decrypted from the SK payload; empty until <see cref="WithInnerPayloads"/>.</summary>
    public ImmutableArray<Payload> InnerPayloads { get; init; } = [];

    /// <summary>Unknown payloads with the critical bit, outside and inside SK (§2.5).</summary>
    public ImmutableArray<PayloadType> UnsupportedCriticalPayloads { get; init; } = [];

    public bool IsResponse => Header.IsResponse;

    public ExchangeType Exchange => Header.ExchangeType;

    /// <summary>The SK payload, if the message is encrypted.</summary>
    public EncryptedPayload? Encrypted => Payloads.Length > 0 ? Payloads[^1] as EncryptedPayload : null;

    /// <summary>The SKF payload, if the message is an encrypted fragment (RFC 7383).</summary>
    public EncryptedFragmentPayload? EncryptedFragment => Payloads.Length > 0 ? Payloads[^1] as EncryptedFragmentPayload : null;

    /// <summary>Whether the inner payloads were decrypted into <see cref="InnerPayloads"/>.</summary>
    public bool IsDecrypted { get; init; }

    /// <summary>Every payload in order, the outer ones (minus SK/SKF) then the decrypted ones.</summary>
    public IEnumerable<Payload> AllPayloads => Payloads.Where(p => p is not (EncryptedPayload or EncryptedFragmentPayload)).Concat(InnerPayloads);

    public T? Find<T>()
        where T : Payload => AllPayloads.OfType<T>().FirstOrDefault();

    public IEnumerable<T> FindAll<T>()
        where T : Payload => AllPayloads.OfType<T>();

    public NotifyPayload? FindNotify(NotifyType type) => FindAll<NotifyPayload>().FirstOrDefault(n => n.NotifyType == type);

    /// <summary>Decodes a datagram; throws <see cref="IkeDecodeException"/> and nothing else.</summary>
    public static IkeMessage Decode(ReadOnlyMemory<byte> datagram)
        => TryDecode(datagram, out var message, out var error) ? message : throw new IkeDecodeException(error);

    /// <summary>
    /// Decodes a datagram without throwing. The header must be IKEv2 (major version 2; a higher
    /// one is reported so the engine can answer INVALID_MAJOR_VERSION, §2.5) and its Length must
    /// equal the datagram length.
    /// </summary>
    public static bool TryDecode(ReadOnlyMemory<byte> datagram, [NotNullWhen(true)] out IkeMessage? message, out DecodeError error)
    {
        message = null;
        if (!IkeHeader.TryRead(datagram.Span, out var header, out error))
        {
            return false;
        }

        if (header.MajorVersion != IkeHeader.IkeV2MajorVersion)
        {
            error = new DecodeError($"major version {header.MajorVersion} is not IKEv2", null, 17);
            return false;
        }

        if (!PayloadChain.TryDecode(header.NextPayload, datagram[IkeHeader.Size..], IkeHeader.Size, out var chain, out error))
        {
            return false;
        }

        message = new IkeMessage(header, chain.Payloads) { UnsupportedCriticalPayloads = chain.UnsupportedCriticalPayloads };
        return true;
    }

    /// <summary>
    /// Returns this message with the payloads decoded from the decrypted SK (or reassembled SKF)
    /// plaintext, whose first payload type is given by the SK payload.
    /// </summary>
    /// <param name="plaintext">The inner payloads (padding and ICV removed).</param>
    /// <param name="plaintextOffset">Where the plaintext lay in the datagram, for error offsets.</param>
    public bool TryWithInnerPayloads(ReadOnlyMemory<byte> plaintext, int plaintextOffset, [NotNullWhen(true)] out IkeMessage? decrypted, out DecodeError error)
    {
        var first = Encrypted?.FirstInnerPayload ?? EncryptedFragment?.FirstInnerPayload
            ?? throw new InvalidOperationException("message has no SK or SKF payload");
        if (!PayloadChain.TryDecode(first, plaintext, plaintextOffset, out var inner, out error))
        {
            decrypted = null;
            return false;
        }

        decrypted = WithInnerPayloads(inner);
        return true;
    }

    public IkeMessage WithInnerPayloads(DecodedPayloads inner) => this with
    {
        InnerPayloads = inner.Payloads,
        UnsupportedCriticalPayloads = UnsupportedCriticalPayloads.AddRange(inner.UnsupportedCriticalPayloads),
        IsDecrypted = true,
    };

    /// <summary>
    /// Encodes the header and outer payloads (an SK payload as its received ciphertext), so a
    /// decoded message re-encodes byte-exactly. Encrypting new messages is the engine's job,
    /// through <see cref="IkeWriter.BeginEncryptedPayload"/> and the crypto layer.
    /// </summary>
    public byte[] Encode()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ushort.MaxValue);
        try
        {
            var length = EncodeTo(buffer);
            return buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public int EncodeTo(Span<byte> destination)
    {
        var writer = new IkeWriter(destination);
        writer.WriteHeader(Header);
        foreach (var payload in Payloads)
        {
            writer.WritePayload(payload);
        }

        return writer.Finish();
    }

    /// <summary>Encodes just the inner payload chain (the plaintext an SK payload protects).</summary>
    public static byte[] EncodeChain(IEnumerable<Payload> payloads)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ushort.MaxValue);
        try
        {
            var writer = new IkeWriter(buffer);
            writer.BeginPayloadChain();
            foreach (var payload in payloads)
            {
                writer.WritePayload(payload);
            }

            return writer.Written.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>One line in strongSwan's style: <c>IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr ]</c>.</summary>
    public override string ToString() => MessageSummary.Describe(this);
}
