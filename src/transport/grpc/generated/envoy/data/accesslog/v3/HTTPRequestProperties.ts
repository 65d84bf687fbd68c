// Original file: proto/envoy/data/accesslog/v3/accesslog.proto


export interface HTTPRequestProperties {
  'request_headers'?: ({[key: string]: string});
}

export interface HTTPRequestProperties__Output {
  'request_headers'?: ({[key: string]: string});
}
