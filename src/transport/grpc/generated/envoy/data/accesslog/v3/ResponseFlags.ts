// Original file: proto/envoy/data/accesslog/v3/accesslog.proto


// Original file: proto/envoy/data/accesslog/v3/accesslog.proto

export const _envoy_data_accesslog_v3_ResponseFlags_Unauthorized_Reason = {
  REASON_UNSPECIFIED: 0,
  EXTERNAL_SERVICE: 1,
} as const;

export type _envoy_data_accesslog_v3_ResponseFlags_Unauthorized_Reason =
  | 'REASON_UNSPECIFIED'
  | 0
  | 'EXTERNAL_SERVICE'
  | 1

export type _envoy_data_accesslog_v3_ResponseFlags_Unauthorized_Reason__Output = typeof _envoy_data_accesslog_v3_ResponseFlags_Unauthorized_Reason[keyof typeof _envoy_data_accesslog_v3_ResponseFlags_Unauthorized_Reason]

export interface _envoy_data_accesslog_v3_ResponseFlags_Unauthorized {
  'reason'?: (_envoy_data_accesslog_v3_ResponseFlags_Unauthorized_Reason);
}

export interface _envoy_data_accesslog_v3_ResponseFlags_Unauthorized__Output {
  'reason'?: (_envoy_data_accesslog_v3_ResponseFlags_Unauthorized_Reason__Output);
}

export interface ResponseFlags {
  'unauthorized_details'?: (_envoy_data_accesslog_v3_ResponseFlags_Unauthorized | null);
}

export interface ResponseFlags__Output {
  'unauthorized_details'?: (_envoy_data_accesslog_v3_ResponseFlags_Unauthorized__Output);
}
