namespace IkeSharp.Protocol;

/// <summary>IKEv2 Exchange Types (IANA "IKEv2 Exchange Types"; RFC 7296 §3.1).</summary>
public enum ExchangeType : byte
{
    IKE_SA_INIT = 34,
    IKE_AUTH = 35,
    CREATE_CHILD_SA = 36,
    INFORMATIONAL = 37,
    IKE_SESSION_RESUME = 38,
    GSA_AUTH = 39,
    GSA_REGISTRATION = 40,
    GSA_REKEY = 41,
    GSA_INBAND_REKEY = 42,
    IKE_INTERMEDIATE = 43,
    IKE_FOLLOWUP_KE = 44,
}
