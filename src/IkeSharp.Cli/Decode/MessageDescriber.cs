using IkeSharp.Protocol;

namespace IkeSharp.Cli.Decode;

/// <summary>Where a datagram was seen: capture frame, time, addresses and ports (all optional for --hex).</summary>
internal sealed record DatagramContext(int? Frame, DateTimeOffset? Timestamp, string? Source, string? Destination, bool NonEspMarker);

/// <summary>Describes one IKE message (or why it could not be decoded) with its capture context.</summary>
internal static class MessageDescriber
{
    public static Group Describe(DatagramContext context, ReadOnlyMemory<byte> ike)
    {
        var group = new Group()
            .Add("frame", context.Frame)
            .Add("time", context.Timestamp?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'"))
            .Add("source", context.Source)
            .Add("destination", context.Destination)
            .Add("nonEspMarker", context.NonEspMarker ? true : null);

        if (!IkeMessage.TryDecode(ike, out var message, out var error))
        {
            if (IkeHeader.TryRead(ike.Span, out var header, out _) || ike.Length >= IkeHeader.Size)
            {
                DescribeHeader(group, header);
            }

            return group.Add("decodeError", error.ToString()).Add("datagramLength", ike.Length);
        }

        DescribeHeader(group, message.Header);
        group.Add("summary", message.ToString())
            .Add("payloads", new Items([.. message.Payloads.Select(PayloadDescriber.Describe)]));
        if (message.UnsupportedCriticalPayloads.Length > 0)
        {
            group.Add("unsupportedCriticalPayloads", new Items([.. message.UnsupportedCriticalPayloads.Select(t => new Scalar((int)t))]));
        }

        var violation = message.Encrypted is null && message.EncryptedFragment is null ? MessageRules.Check(message) : MessageRules.CheckOuter(message);
        return group.Add("ruleViolation", violation?.Reason);
    }

    private static void DescribeHeader(Group group, IkeHeader header) => group
        .Add("exchange", Enum.IsDefined(header.ExchangeType) ? header.ExchangeType.ToString() : ((int)header.ExchangeType).ToString())
        .Add("role", header.FromOriginalInitiator ? "initiator" : "responder")
        .Add("kind", header.IsResponse ? "response" : "request")
        .Add("messageId", (long)header.MessageId)
        .Add("initiatorSpi", $"{header.InitiatorSpi:x16}")
        .Add("responderSpi", $"{header.ResponderSpi:x16}")
        .Add("version", $"{header.MajorVersion}.{header.MinorVersion}")
        .Add("length", (long)header.Length);
}
