// Original file: proto/envoy/data/accesslog/v3/accesslog.proto

import type { ResponseFlags as _envoy_data_accesslog_v3_ResponseFlags, ResponseFlags__Output as _envoy_data_accesslog_v3_ResponseFlags__Output } from '../../../../envoy/data/accesslog/v3/ResponseFlags.js';
import type { Metadata as _envoy_config_core_v3_Metadata, Metadata__Output as _envoy_config_core_v3_Metadata__Output } from '../../../../envoy/config/core/v3/Metadata.js';

export interface AccessLogCommon {
  'response_flags'?: (_envoy_data_accesslog_v3_ResponseFlags | null);
  'metadata'?: (_envoy_config_core_v3_Metadata | null);
}

export interface AccessLogCommon__Output {
  'response_flags'?: (_envoy_data_accesslog_v3_ResponseFlags__Output);
  'metadata'?: (_envoy_config_core_v3_Metadata__Output);
}
