/** Resource types with `metadata_options`: what launches EC2 instances (read by the EC2 rules). */
export const EC2_LAUNCH_TYPES = ["aws_launch_template", "aws_instance", "aws_launch_configuration"] as const;
