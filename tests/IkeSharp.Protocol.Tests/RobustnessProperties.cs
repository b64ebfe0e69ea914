using FsCheck.Xunit;

namespace IkeSharp.Protocol.Tests;

/// <summary>Arbitrary and mutated input: the decoder reports, it never crashes and never hangs.</summary>
[Properties(Arbitrary = [typeof(CodecArbitraries)], MaxTest = 2000)]
public class RobustnessProperties
{
    [Property]
    public bool TryDecode_never_throws(byte[] datagram)
    {
        var ok = IkeMessage.TryDecode(datagram, out var message, out var error);
        return ok ? message is not null : error.Reason.Length > 0;
    }

    [Property]
    public bool Decode_throws_only_IkeDecodeException(byte[] datagram)
    {
        try
        {
            IkeMessage.Decode(datagram);
            return true;
        }
        catch (IkeDecodeException e)
        {
            return e.Error.Offset >= 0 && e.Error.Offset <= datagram.Length;
        }
    }

    [Property]
    public bool Inner_chains_of_garbage_are_reported_not_thrown(byte[] plaintext)
    {
        foreach (var first in new[] { PayloadType.IDi, PayloadType.SA, PayloadType.TSi, PayloadType.N, PayloadType.CP, PayloadType.D })
        {
            if (!PayloadChain.TryDecode(first, plaintext, 40, out _, out var error) && error.Offset < 40)
            {
                return false;
            }
        }

        return true;
    }

    [Property]
    public bool Outer_rules_pass_only_protected_messages_with_exactly_one_trailing_SK(byte[] datagram)
    {
        if (!IkeMessage.TryDecode(datagram, out var message, out _))
        {
            return true;
        }

        var rule = MessageRules.Find(message.Exchange, message.IsResponse);
        var violation = MessageRules.CheckOuter(message);
        if (rule is null || violation is not null)
        {
            // Refused: unknown exchanges and malformed protected messages get INVALID_SYNTAX.
            return violation?.Notify == NotifyType.INVALID_SYNTAX;
        }

        return !rule.Encrypted
            || (message.Payloads.Count(p => p is EncryptedPayload or EncryptedFragmentPayload) == 1
                && message.Payloads[^1] is EncryptedPayload or EncryptedFragmentPayload);
    }
}
