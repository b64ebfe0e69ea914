namespace IkeSharp.Protocol;

/// <summary>
/// A payload whose type this codec does not parse. RFC 7296 §2.5: skipped when not critical;
/// when critical the message is rejected with UNSUPPORTED_CRITICAL_PAYLOAD.
/// </summary>
public sealed record UnknownPayload(PayloadType Type, ReadOnlyMemory<byte> Body) : Payload
{
    public override PayloadType Type { get; } = Type;

    public override void WriteBody(ref IkeWriter writer) => writer.WriteBytes(Body.Span);
}
