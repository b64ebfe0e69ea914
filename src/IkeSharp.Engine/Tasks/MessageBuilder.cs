using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tasks;

/// <summary>The payloads tasks contribute to one outgoing message; the IKE SA encodes and protects it.</summary>
internal sealed class MessageBuilder(ExchangeType exchange, bool isResponse, uint messageId)
{
    public ExchangeType Exchange { get; } = exchange;

    public bool IsResponse { get; } = isResponse;

    public uint MessageId { get; } = messageId;

    public List<Payload> Payloads { get; } = [];

    public void Add(Payload payload) => Payloads.Add(payload);

    /// <summary>RFC 7296 §2.6: a COOKIE notify must be the first payload.</summary>
    public void AddFirst(Payload payload) => Payloads.Insert(0, payload);
}
