// Tests of Linux datapath code.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
